import { Agent, get } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { db } from "@/lib/db/client";
import { products } from "@/lib/db/schema";
import { recordFigures } from "../support/figures";
import { createProduct } from "../support/ledger";
import { waitFor } from "../support/wait-for";
import { WebProcess } from "../../scripts/harness/web-process";

// Two web processes of one store (as node's cluster and several machines run them), each answering
// page views without a cart from its own shared render (lib/pages/). A change made through one must
// end the other's render at once, not when it grows old: the renders here would live for a minute.
const env = { PAGE_CACHE_MS: "60000" };
const first = new WebProcess(env);
const second = new WebProcess(env);
let productId = 0;
let slug = "";

beforeAll(async () => {
  productId = await createProduct(20);
  const [row] = await db().select({ slug: products.slug }).from(products).where(eq(products.id, productId));
  slug = row?.slug ?? "";
  await Promise.all([first.start(), second.start()]);
});
afterAll(() => Promise.all([first.stop(), second.stop()]));

/** The stock figure in a product page's HTML, and whether the page came from a shared render. */
async function view(web: WebProcess, cookie?: string): Promise<{ left: number | null; shared: string | null }> {
  const response = await fetch(`${web.url}/products/${slug}`, { headers: cookie ? { cookie } : {} });
  expect(response.status).toBe(200);
  const html = (await response.text()).replaceAll("<!-- -->", ""); // React's marks between text nodes
  const left = /data-testid="stock"[^>]*>(?:<[^>]*>)*(?:Only )?(\d+) left/.exec(html)?.[1];
  return { left: left === undefined ? null : Number(left), shared: response.headers.get("x-page-cache") };
}

/** Views of `web` until one comes from a shared render; every process of it then has one. */
const untilShared = (web: WebProcess) =>
  waitFor(async () => ((await view(web)).shared === "hit" ? true : null), {
    timeout: 10_000,
    interval: 5,
    what: "a page view answered from the shared render",
  });

/** Several views of each store, whichever of its processes answers: what each page said. */
const viewsOfBoth = async (times = 6) => {
  const lefts: (number | null)[] = [];
  for (let i = 0; i < times; i += 1) lefts.push((await view(first)).left, (await view(second)).left);
  return lefts;
};

describe("pages shared across web processes", () => {
  it("a restock through one process shows in the next page the other serves", async () => {
    expect(await view(second)).toMatchObject({ left: 20 });
    await Promise.all([untilShared(first), untilShared(second)]);
    expect(await viewsOfBoth()).toEqual(Array(12).fill(20));

    const restock = await fetch(`${first.url}/api/admin/products/${productId}/stock`, {
      method: "POST",
      headers: { authorization: `Bearer ${process.env.ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ add: 5 }),
    });
    expect(restock.status).toBe(200);
    const restockedAt = performance.now();
    // Each process hears it on its Redis subscription: a few ms after the answer at most.
    await waitFor(async () => (await view(second)).left === 25, {
      timeout: 10_000,
      interval: 5,
      what: "the page to show the new stock",
    });
    const heardMs = performance.now() - restockedAt;
    // Every process of both stores dropped its minute-long render: no view shows the old figure.
    expect(await viewsOfBoth()).toEqual(Array(12).fill(25));
    await untilShared(second);
    recordFigures("shared-pages", { restockToOtherProcessPageMs: Math.round(heardMs) });
  });

  it("a shopper's hold changes the shared page of both; the shopper's own page is theirs", async () => {
    await Promise.all([untilShared(first), untilShared(second)]);
    const add = await fetch(`${second.url}/api/cart/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ productId, quantity: 3 }),
    });
    expect(add.status).toBe(200);
    const cart = add.headers.get("set-cookie")?.split(";")[0] ?? "";
    await waitFor(async () => (await view(first)).left === 22, {
      timeout: 10_000,
      interval: 5,
      what: "the hold on the page",
    });
    expect(await viewsOfBoth()).toEqual(Array(12).fill(22));
    const own = await view(first, cart);
    expect(own).toEqual({ left: 22, shared: null });
  });

  it("a browser that accepts Brotli or gzip is sent the shared render compressed; one that does not, as Next wrote it", async () => {
    // Node's http client, not fetch, which would decode the page before the test saw it; one
    // connection, so one process answers all three.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const raw = (acceptEncoding?: string) =>
      new Promise<{ body: Buffer; headers: Record<string, string | string[] | undefined> }>((resolve, reject) => {
        const headers = acceptEncoding ? { "accept-encoding": acceptEncoding } : {};
        get(`${first.url}/products/${slug}`, { headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve({ body: Buffer.concat(chunks), headers: res.headers }));
        }).on("error", reject);
      });
    // One render answering all three: asked again while a stock change (other suites run beside
    // this one) ends the render between them.
    const [plain, br, gzip] = await waitFor(
      async () => {
        const views = [await raw(), await raw("gzip, deflate, br"), await raw("gzip, deflate")] as const;
        return views.every((v) => v.headers["x-page-cache"] === "hit") ? views : null;
      },
      { timeout: 10_000, interval: 5, what: "three views of one render" },
    ).finally(() => agent.destroy());
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(br.headers["content-encoding"]).toBe("br");
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
    expect(br.body.length).toBeLessThan(plain.body.length / 3);
    // A cache in front keeps the encodings apart.
    for (const { headers } of [plain, br, gzip]) expect(headers.vary).toMatch(/, Accept-Encoding$/);
  });

  it("a click's request of a product page (Next's RSC request) shares one render with every browser that holds nothing and asks the same way", async () => {
    // One process, a render that lives a minute: which view renders and which shares is certain.
    const alone = new WebProcess({ ...env, WEB_CONCURRENCY: "1" });
    await alone.start();
    try {
      // The catalog's router tree, as a click on it sends it; `_rsc` is Next's hash of the
      // headers, learnt from the redirect Next answers a wrong one with.
      const tree = encodeURIComponent(
        JSON.stringify(["", { children: ["__PAGE__", {}, null, null, 0] }, null, null, 16]),
      );
      const click = { rsc: "1", "next-router-state-tree": tree, "next-url": "/" };
      const asked = await fetch(`${alone.url}/products/${slug}?_rsc=0`, { headers: click, redirect: "manual" });
      expect(asked.status).toBe(307);
      const url = `${alone.url}${asked.headers.get("location")}`;
      const payload = async (cookie?: string) => {
        const response = await fetch(url, { headers: { ...click, ...(cookie ? { cookie } : {}) } });
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toMatch(/^text\/x-component/);
        return { shared: response.headers.get("x-page-cache"), body: await response.text() };
      };
      expect((await payload()).shared).toBe("miss");
      // The next asks share it (asked again while a stock change from the suites beside this one
      // ends it in between).
      const shared = await waitFor(
        async () => {
          const next = await payload("theme=dark; scripts=1");
          return next.shared === "hit" ? next : null;
        },
        { timeout: 10_000, interval: 5, what: "a click's payload from the shared render" },
      );
      expect(shared.body).toContain(`"${slug}"`);
      // A browser with a cart or a place in line gets a payload rendered for it.
      expect((await payload("cart=x.y; scripts=1")).shared).toBeNull();
      expect((await payload("waiter=x.y")).shared).toBeNull();
    } finally {
      await alone.stop();
    }
  });
});
