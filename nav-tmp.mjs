import { chromium } from "@playwright/test";
import { readFileSync } from "node:fs";
const pid = Number(process.argv[2]);
const cpu = () => { const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" "); return (Number(f[11]) + Number(f[12])) * 10; };
const b = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
for (const round of [1, 2]) for (const [label, js, path] of [["catalog, JS", true, "/"], ["catalog, no JS", false, "/"], ["product, JS", true, "/products/enamel-camp-mug"]]) {
  let rsc = 0, all = 0;
  const c0 = cpu();
  for (let i = 0; i < 10; i++) {
    const ctx = await b.newContext({ javaScriptEnabled: js });
    const p = await ctx.newPage();
    p.on("request", (r) => { all++; if (r.headers()["rsc"]) rsc++; });
    await p.goto("http://127.0.0.1:" + (process.env.P ?? "3395") + "" + path, { waitUntil: "networkidle" });
    await ctx.close();
  }
  console.log(round, label, "web CPU ms per view", (cpu() - c0) / 10, "requests", all / 10, "rsc", rsc / 10);
}
// A click still navigates.
const p = await b.newPage();
await p.goto("http://127.0.0.1:" + (process.env.P ?? "3395") + "/", { waitUntil: "networkidle" });
await p.click("a[href='/products/enamel-camp-mug']");
await p.waitForURL("**/products/enamel-camp-mug");
console.log("navigated:", await p.locator("h1").first().textContent());
await b.close();
