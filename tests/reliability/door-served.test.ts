import { readdirSync, readFileSync } from "node:fs";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProduct } from "../support/ledger";
import { scrape, value } from "../support/prometheus";
import { rawRequest } from "../support/raw-client";
import { Shopper } from "../support/shopper";
import { waitFor } from "../support/wait-for";
import { openStockStream } from "../../scripts/harness/stock-streams";
import { WebProcess } from "../../scripts/harness/web-process";

// The door serves the requests every waiting shopper's page makes, and the read of the hold a
// shared page makes, which need nothing of Next's (lib/http/door/stock-stream.ts, line-read.ts,
// line-join.ts, hold-read.ts), and the build's static files (static-files.ts): the answers are
// the routes' (or Next's) own, and its counter says the door, not Next, gave them.
const web = new WebProcess({ WEB_CONCURRENCY: "1", RATE_LIMIT_PER_SECOND: "0" });

beforeAll(() => web.start());
afterAll(() => web.stop());

const auth = { authorization: `Bearer ${process.env.ADMIN_TOKEN}` };
const servedAtDoor = async (request: string) =>
  value(await scrape(`${web.url}/api/metrics`, auth), "holdcart_door_served_total", { request });

describe("requests the door serves itself", () => {
  it("joining the line: 201 and a waiter cookie, then already_waiting; 403 cross-site, 415 not JSON, 400 a body it does not take", async () => {
    const productId = await createProduct(0);
    const before = await servedAtDoor("line_join");
    const shopper = new Shopper(web.url);
    const joined = await rawRequest(`${web.url}/api/waitlist`, { method: "POST", body: { productId, quantity: 2 } });
    expect(joined.status).toBe(201);
    expect(JSON.parse(joined.body).entry).toMatchObject({ productId, quantity: 2, position: 1, offer: null });
    const cookie = String(joined.headers["set-cookie"]);
    expect(cookie).toMatch(/^waiter=[^;]+; Path=\/; Expires=[^;]+; Max-Age=2592000; Secure; HttpOnly; SameSite=lax$/);
    const again = await rawRequest(`${web.url}/api/waitlist`, {
      method: "POST",
      body: { productId, quantity: 1 },
      headers: { cookie: cookie.split(";")[0] ?? "" },
    });
    expect(JSON.parse(again.body).error.code).toBe("already_waiting");
    expect(again.headers["set-cookie"]).toBeUndefined(); // the waiter it has is kept

    const crossSite = await rawRequest(`${web.url}/api/waitlist`, {
      method: "POST",
      body: { productId, quantity: 1 },
      headers: { origin: "https://elsewhere.example" },
    });
    expect([crossSite.status, JSON.parse(crossSite.body).error.code]).toEqual([403, "forbidden"]);
    const notJson = await shopper.request("POST", "/api/waitlist");
    expect([notJson.status, notJson.body.error.code]).toEqual([415, "unsupported_media_type"]);
    const tooMany = await shopper.join(productId, 99);
    expect([tooMany.status, tooMany.body.error.code]).toEqual([400, "invalid_quantity"]);
    expect(shopper.cookies.has("waiter")).toBe(false); // refused before a waiter id was given
    expect(await servedAtDoor("line_join")).toBe(before + 5);
  });

  it("a read of the line: the caller's places, none without a cookie, 400 for a bad wait, and a long poll answered with the offer", async () => {
    const productId = await createProduct(1);
    const holder = new Shopper(web.url);
    const waiter = new Shopper(web.url);
    expect((await holder.add(productId, 1)).status).toBe(200);
    expect((await waiter.add(productId, 1)).body.error.code).toBe("insufficient_stock");
    expect((await waiter.join(productId, 1)).status).toBe(201);
    const before = await servedAtDoor("line_read");

    const line = await waiter.lines();
    expect(line.status).toBe(200);
    expect(line.body.entries).toHaveLength(1);
    expect(line.body.entries[0]).toMatchObject({ productId, quantity: 1, offer: null });
    expect(await new Shopper(web.url).lines()).toEqual({ status: 200, body: { entries: [] } });
    const bad = await waiter.request("GET", "/api/waitlist?wait=soon");
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_request");

    // The long poll waits for the offer: the holder lets the unit go, and it goes to the line.
    const polled = waiter.request("GET", "/api/waitlist?wait=25");
    expect((await holder.remove(productId)).status).toBe(200);
    const answered = await polled;
    expect(answered.status).toBe(200);
    expect(answered.body.entries[0]).toMatchObject({ productId, offer: { units: 1 } });
    expect(await servedAtDoor("line_read")).toBe(before + 4);
  });

  it("a read of the hold: the cart and the places in line of the caller, nothing for a stranger, and it changes no cookie", async () => {
    const held = await createProduct(3);
    const soldOut = await createProduct(0);
    const shopper = new Shopper(web.url);
    expect((await shopper.add(held, 2)).status).toBe(200);
    expect((await shopper.join(soldOut, 1)).status).toBe(201);
    const before = await servedAtDoor("hold_read");

    const jar = new Map(shopper.cookies);
    const hold = await shopper.request("GET", "/api/hold");
    expect(hold.status).toBe(200);
    expect(shopper.cookies).toEqual(jar);
    expect(hold.body.cart.items).toEqual([expect.objectContaining({ productId: held, quantity: 2 })]);
    expect(hold.body.cart.ttlMs).toBeGreaterThan(0);
    expect(hold.body.ended).toBeNull();
    expect(hold.body.waiting).toEqual([expect.objectContaining({ productId: soldOut, quantity: 1, offer: null })]);

    const stranger = await new Shopper(web.url).request("GET", "/api/hold");
    expect(stranger.status).toBe(200);
    expect(stranger.body).toMatchObject({ cart: { items: [], expiresAt: null }, ended: null, waiting: [] });
    expect(await servedAtDoor("hold_read")).toBe(before + 2);
  });

  it("the live stock stream: its snapshot, then each change; HEAD its head; 400 for an id that is not one", async () => {
    const productId = await createProduct(5);
    const before = await servedAtDoor("stock_stream");
    const stream = await openStockStream(web.url, [productId], { keep: true });
    try {
      expect(stream.status).toBe(200);
      expect(stream.header("content-type")).toMatch(/^text\/event-stream/);
      expect(stream.header("cache-control")).toBe("no-store, no-transform");
      await stream.until((s) => s.latest.get(productId) === 5);
      expect((await new Shopper(web.url).add(productId, 2)).status).toBe(200);
      await stream.until((s) => s.latest.get(productId) === 3);
    } finally {
      stream.close();
    }
    const head = await rawRequest(`${web.url}/api/stock/stream?ids=${productId}`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers["content-type"]).toMatch(/^text\/event-stream/);
    const bad = await rawRequest(`${web.url}/api/stock/stream?ids=${productId},x`, {});
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.code).toBe("invalid_request");
    expect(await servedAtDoor("stock_stream")).toBe(before + 3);
  });

  it("the build's scripts, a picture of public/ and the icon: Next's headers, compressed for a browser that asks, 304 when unchanged", async () => {
    const before = await servedAtDoor("static_file");
    const script = readdirSync(".next/static/chunks").find((name) => name.endsWith(".js")) as string;
    const onDisk = readFileSync(`.next/static/chunks/${script}`);
    const url = `${web.url}/_next/static/chunks/${script}`;

    const plain = await rawRequest(url, {});
    expect(plain.status).toBe(200);
    expect(plain.bytes.equals(onDisk)).toBe(true);
    expect(plain.headers["content-type"]).toBe("application/javascript; charset=UTF-8");
    expect(plain.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    // Compressed the first time it was asked for, off the event loop: there by the next ask.
    const br = await waitFor(
      async () => {
        const answer = await rawRequest(url, { headers: { "accept-encoding": "gzip, deflate, br" } });
        return answer.headers["content-encoding"] === "br" ? answer : null;
      },
      { timeout: 5_000, interval: 20, what: "the script compressed" },
    );
    expect(brotliDecompressSync(br.bytes).equals(onDisk)).toBe(true);
    const gzip = await rawRequest(url, { headers: { "accept-encoding": "gzip, deflate" } });
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gzip.bytes).equals(onDisk)).toBe(true);

    // public/ is asked again each time: answered 304 while it is the same file.
    const picture = await rawRequest(`${web.url}/products/wool-beanie.svg`, {});
    expect(picture.status).toBe(200);
    expect(picture.headers["content-type"]).toBe("image/svg+xml");
    expect(picture.bytes.equals(readFileSync("public/products/wool-beanie.svg"))).toBe(true);
    expect(picture.headers["cache-control"]).toBe("public, max-age=0");
    const etag = picture.headers.etag as string;
    const again = await rawRequest(`${web.url}/products/wool-beanie.svg`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);
    const head = await rawRequest(`${web.url}/products/wool-beanie.svg`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe(String(picture.bytes.length));

    // The app's icon, as Next's metadata route answers it (every page links to it with a hash).
    const icon = await rawRequest(`${web.url}/icon.svg?icon.0123abcd.svg`, {});
    expect(icon.status).toBe(200);
    expect(icon.bytes.equals(readFileSync("app/icon.svg"))).toBe(true);
    expect(icon.headers["cache-control"]).toBe("public, max-age=0, must-revalidate");

    // A path that merely looks like a file is Next's (here its 404 page).
    const missing = await rawRequest(`${web.url}/_next/static/chunks/no-such-chunk.js`, {});
    expect(missing.status).toBe(404);
    // The plain ask, the compressed ones (one or more), gzip, the picture, its 304, its HEAD, the icon.
    expect(await servedAtDoor("static_file")).toBeGreaterThanOrEqual(before + 7);
  });
});
