import { readFileSync } from "node:fs";
import http from "node:http";
const pid = Number(process.argv[2]);
const cpu = () => { const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" "); return (Number(f[11]) + Number(f[12])) * 10; };
const get = (path, agent, headers = {}) => new Promise((res, rej) => http.get({ host: "127.0.0.1", port: 3395, path, agent, headers }, (r) => { r.resume(); r.on("end", res); }).on("error", rej));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (const [label, path, hdr] of [["html br", "/", { "accept-encoding": "br" }], ["svg", "/products/wool-beanie.svg"], ["css", "/_next/static/chunks/44hl2b2abh-b-.css"], ["icon", "/icon.svg?icon.04kzv05cthxgt.svg"], ["api/health/live", "/api/health/live"]]) {
  for (const mode of ["new conn, 20ms apart", "keepalive, 20ms apart"]) {
    const agent = mode.startsWith("new") ? new http.Agent({ keepAlive: false }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
    const c0 = cpu();
    for (let i = 0; i < 100; i++) { await get(path, agent, hdr); await sleep(20); }
    console.log(label, mode, "cpu ms per request", (cpu() - c0) / 100);
    agent.destroy();
  }
}
