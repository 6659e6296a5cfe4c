import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COALESCE_MS } from "@/lib/streams/stock-hub";
import { recordFigures } from "../support/figures";
import { countersOf, createProduct } from "../support/ledger";
import { scrape, value } from "../support/prometheus";
import { rssMbOf } from "../../scripts/harness/process-stats";
import { Shopper } from "../support/shopper";
import {
  headStockStreams,
  loopbackAddress,
  openStockStream,
  resetStockStreams,
  type StockStream,
} from "../../scripts/harness/stock-streams";
import { WebProcess } from "../../scripts/harness/web-process";

// Invariant 10 for the live stock stream: whatever way a stream request ends, its subscription
// ends with it; streams are capped per client and in all; a stream that stays hears every change.
const PER_CLIENT = 4;
// One web process: the caps, the open-stream count of /api/health and the RSS read here are each
// process's own (with WEB_CONCURRENCY=n a client may hold n × MAX_STREAMS_PER_CLIENT streams).
// With its inspector, so the memory test can collect its garbage before it measures.
const web = new WebProcess(
  { DATABASE_POOL_MAX: "5", MAX_STREAMS_PER_CLIENT: String(PER_CLIENT), WEB_CONCURRENCY: "1" },
  { inspect: true },
);
let page: number[] = [];
let hot = 0;

// Addresses 0–199 are the resetting clients'; these are others, one each.
const LIVE_SHOPPER = loopbackAddress(1_000);
const BUSY_CLIENT = loopbackAddress(1_001);
const OTHER_CLIENT = loopbackAddress(1_002);

beforeAll(async () => {
  page = [await createProduct(1_000), await createProduct(50), await createProduct(50)];
  hot = page[0] as number;
  await web.start();
});
afterAll(() => web.stop());

async function openStreams(baseUrl: string): Promise<number> {
  const response = await fetch(`${baseUrl}/api/health`);
  const body = (await response.json()) as { streams: number };
  return body.streams;
}

/**
 * What the web process keeps, in MB: V8's heap in use and the memory its objects hold outside it
 * (buffers), from its own metrics. Unlike RSS, this falls when garbage is collected: a process's RSS
 * keeps pages the allocator has not handed back, so on a busy machine it stays up with no leak.
 */
async function heldMb(baseUrl: string): Promise<number> {
  const s = await scrape(`${baseUrl}/api/metrics`, { authorization: `Bearer ${process.env.ADMIN_TOKEN}` });
  const bytes = value(s, "nodejs_heap_size_used_bytes") + value(s, "nodejs_external_memory_bytes");
  return Math.round(bytes / 2 ** 20);
}

async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Goods received for the hot product, `times` times: one stock change each, `available` only grows. */
async function restock(times: number): Promise<void> {
  for (let i = 0; i < times; i += 1) {
    const response = await fetch(`${web.url}/api/admin/products/${hot}/stock`, {
      method: "POST",
      headers: { authorization: `Bearer ${process.env.ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ add: 1 }),
    });
    expect(response.status).toBe(200);
  }
}

describe("live stock streams (invariant 10)", () => {
  it("1,000 HEADs and 1,000 reset GETs leave no subscription and no memory behind while stock changes; a live stream hears every change", async () => {
    const live = await openStockStream(web.url, page, { localAddress: LIVE_SHOPPER, keep: true });
    try {
      expect(live.status).toBe(200);
      expect(live.header("content-type")).toMatch(/^text\/event-stream/);
      await live.until((s) => s.latest.get(hot) === 1_000); // the snapshot
      const openedAt = Date.now();
      const shopper = new Shopper(web.url);
      expect((await shopper.add(hot, 1)).status).toBe(200);
      await live.until((s) => s.latest.get(hot) === 999); // a hold, heard live
      const heardFrom = live.events.length;

      /** 1,000 HEADs and 1,000 resets with stock changing all along, then 500 more changes. */
      const storm = async () => {
        let storming = true;
        let changes = 500;
        const changing = (async () => {
          for (; storming; changes += 1) await restock(1);
        })();
        const [heads, resets] = await Promise.all([
          headStockStreams(web.url, page, 1_000),
          resetStockStreams(web.url, page, 1_000),
        ]);
        storming = false;
        await changing;
        await restock(500);
        expect(heads).toEqual({ 200: 1_000 });
        expect(resets).toEqual({ beforeResponse: 500, afterHeaders: 500 });
        // Every subscription but the live one's has ended.
        await waitUntil(async () => (await openStreams(web.url)) === 1, "streams back to the one live stream");
        return { changes, resets };
      };

      // Three storms, then what the process holds (V8's heap in use and buffers), after a full
      // garbage collection, must be near what it held at the start. Each early-ended stream used to
      // keep ~0.3 MB: that leak held ~300 MB more each storm, ~900 MB after three. Without it the
      // process holds its working size (JIT, pools): measured 51-57 MB at the start, 60-70 MB after.
      // Without the collection the figure was garbage V8 had not got round to: it stayed at 195 MB
      // for 20 s on an idle process, and on CI over the bound. RSS is recorded, not bounded: it
      // keeps pages the allocator has not handed back (measured 134 → 145 MB after the collection,
      // 160 → 350 MB without it).
      await web.collectGarbage();
      const rssStart = rssMbOf(web.pid);
      const heldStartMb = await heldMb(web.url);
      await storm();
      await storm();
      const { changes, resets } = await storm();
      await web.collectGarbage();
      const heldAfterMb = await heldMb(web.url);
      const rssAfter = rssMbOf(web.pid);
      expect(heldAfterMb - heldStartMb).toBeLessThan(100);

      // The live stream ends on the stock as it is, having seen it only grow (restocks), in lists
      // of the stock of its page, and at most one message per COALESCE_MS for it.
      const { available } = await countersOf(hot);
      await live.until((s) => s.latest.get(hot) === available, 5_000);
      const seen = live.events.slice(heardFrom).map((list) => {
        expect(list).toHaveLength(1);
        expect(Object.keys(list[0] ?? {}).sort()).toEqual([
          "available",
          "nextReleaseAt",
          "nextReleaseInMs",
          "productId",
          "releaseAt",
          "releaseInMs",
          "reserved",
          "variantId",
          "waiting",
        ]);
        expect(list[0]?.productId).toBe(hot);
        expect(list[0]?.variantId).toBe(hot); // a product sold as one thing is its own single variant
        return list[0]?.available as number;
      });
      expect(seen.length).toBeGreaterThan(10);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.at(-1)).toBe(available);
      expect(seen.length + 1).toBeLessThanOrEqual(1 + Math.ceil((Date.now() - openedAt) / COALESCE_MS));
      recordFigures("streams", {
        heads: 3_000,
        resets: 3_000,
        lastResets: resets,
        changes: 3 * changes,
        heldStartMb,
        heldAfterMb,
        rssStartMb: rssStart,
        rssAfterMb: rssAfter,
        liveMessages: seen.length,
      });
    } finally {
      live.close();
    }
    await waitUntil(async () => (await openStreams(web.url)) === 0, "no stream left");
  });

  it("a client past MAX_STREAMS_PER_CLIENT gets 429 with Retry-After, and gets streams again as its own close", async () => {
    const mine: StockStream[] = [];
    try {
      for (let i = 0; i < PER_CLIENT; i += 1) {
        const stream = await openStockStream(web.url, page, { localAddress: BUSY_CLIENT });
        expect(stream.status).toBe(200);
        mine.push(stream);
      }
      await waitUntil(async () => (await openStreams(web.url)) === PER_CLIENT, "the client's streams open");

      const refused = await openStockStream(web.url, page, { localAddress: BUSY_CLIENT });
      expect(refused.status).toBe(429);
      expect(Number(refused.header("retry-after"))).toBeGreaterThan(0);
      expect(JSON.parse(await refused.text())).toMatchObject({ error: { code: "rate_limited" } });

      // Another client is not affected.
      const other = await openStockStream(web.url, page, { localAddress: OTHER_CLIENT, keep: true });
      expect(other.status).toBe(200);
      other.close();

      mine.shift()?.close();
      await waitUntil(async () => (await openStreams(web.url)) === PER_CLIENT - 1, "the closed stream's end");
      const again = await openStockStream(web.url, page, { localAddress: BUSY_CLIENT, keep: true });
      mine.push(again);
      expect(again.status).toBe(200);
      await again.until((s) => s.latest.has(hot)); // its snapshot
    } finally {
      for (const stream of mine) stream.close();
    }
    await waitUntil(async () => (await openStreams(web.url)) === 0, "all the client's streams gone");
  });

  it("past MAX_STREAMS in all the server answers 503 with Retry-After", async () => {
    const small = new WebProcess({ DATABASE_POOL_MAX: "2", MAX_STREAMS: "2", WEB_CONCURRENCY: "1" });
    await small.start();
    try {
      const open = [
        await openStockStream(small.url, page, { localAddress: loopbackAddress(2_000) }),
        await openStockStream(small.url, page, { localAddress: loopbackAddress(2_001) }),
      ];
      expect(open.map((s) => s.status)).toEqual([200, 200]);
      const refused = await openStockStream(small.url, page, { localAddress: loopbackAddress(2_002) });
      expect(refused.status).toBe(503);
      expect(Number(refused.header("retry-after"))).toBeGreaterThan(0);
      expect(JSON.parse(await refused.text())).toMatchObject({ error: { code: "service_unavailable" } });
      for (const stream of open) stream.close();
      await waitUntil(async () => (await openStreams(small.url)) === 0, "the streams gone");
      const later = await openStockStream(small.url, page, { localAddress: loopbackAddress(2_002) });
      expect(later.status).toBe(200);
      later.close();
    } finally {
      await small.stop();
    }
  });
});
