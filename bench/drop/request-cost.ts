/**
 * What one request costs the web processes, measured on the store right after the sale (same
 * processes, same data, nothing else asking): web CPU time (/proc/PID/stat, every web process)
 * per product page view, per catalog page view, per refused add of a client over its rate
 * (the door's 429, answered before the framework), and per API request of the kinds a drop sends
 * most, beside Next's own floor (a route that answers "ok": the machine's pace that day).
 */
import { cpuMsOf } from "../../scripts/harness/process-stats";
import { HttpClient, PAGE_HEADERS, Recorder, type Reply } from "./client";

export type RequestCost = {
  /** Web CPU ms per view, and how many views it was measured over. */
  productPage: { cpuMs: number; n: number };
  catalogPage: { cpuMs: number; n: number };
  /** Web CPU ms per 429 `rate_limited`, over `n` of them (null: none was refused). */
  refusal: { cpuMs: number | null; n: number };
  /** Web CPU ms per request of the kinds a drop's shoppers send most, each answered as in the drop. */
  api: Record<ApiKind, { cpuMs: number; n: number }>;
};

export type ApiKind = "floor" | "product" | "soldOutAdd" | "lineJoin" | "lineRead" | "streamOpened";

const webCpuMs = (pids: readonly number[]) => pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0);

/** Web CPU ms per wall ms the processes spend on their own (timers, the holds still ending): subtracted. */
async function backgroundRate(pids: readonly number[]): Promise<number> {
  const [cpu, wall] = [webCpuMs(pids), performance.now()];
  await new Promise((r) => setTimeout(r, 2_000));
  return (webCpuMs(pids) - cpu) / (performance.now() - wall);
}

/**
 * Sends `count` requests, `concurrency` at a time; answers the web CPU spent on them (less what
 * the processes spent meanwhile on their own, at `background` ms per ms) and the replies.
 */
async function measured(
  pids: readonly number[],
  background: number,
  count: number,
  concurrency: number,
  send: (i: number) => Promise<Reply>,
): Promise<{ cpuMs: number; replies: Reply[] }> {
  const replies: Reply[] = [];
  let next = 0;
  const [before, started] = [webCpuMs(pids), performance.now()];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) replies.push(await send(next++));
    }),
  );
  const cpuMs = webCpuMs(pids) - before - background * (performance.now() - started);
  return { cpuMs: Math.max(0, cpuMs), replies };
}

export async function requestCost(
  base: string,
  pids: readonly number[],
  {
    slug,
    productId,
    shopperAddress,
    botAddress,
  }: { slug: string; productId: number; shopperAddress: (i: number) => string; botAddress: (i: number) => string },
): Promise<RequestCost> {
  const recorder = new Recorder(); // its own: these answers are not the sale's
  // Each view from a shopper of its own (as in a drop), so none is over its rate.
  const view = (path: string) => (i: number) =>
    new HttpClient(base, shopperAddress(i), "shopper", recorder, 1).call("page", "GET", path, {
      headers: PAGE_HEADERS,
    });
  const PAGES = 300;
  // Warm: the first views compile and fill caches; they are not what a drop's thousandth view costs.
  await measured(pids, 0, 20, 5, view(`/products/${slug}`));
  const background = await backgroundRate(pids);
  const product = await measured(pids, background, PAGES, 10, view(`/products/${slug}`));
  const catalog = await measured(pids, background, PAGES, 10, view("/"));
  const served = (replies: Reply[]) => replies.filter((r) => r.status === 200).length;

  // Bots over their rate: each empties its bucket, then every add it sends is refused at the door,
  // each refusal held back a moment (lib/http/door/refusal.ts): many connections, to refuse many.
  // The adds its refilling budget lets through are refused at the door too, the product being
  // known sold out (lib/http/door/known-refusals.ts), and answered at once.
  const BOTS = 4;
  const LANES = 60; // under MAX_CONNECTIONS_PER_CLIENT
  const bots = Array.from({ length: BOTS }, (_, i) => new HttpClient(base, botAddress(i), "bot", recorder, LANES));
  const add = (i: number) =>
    bots[i % BOTS]!.call("add", "POST", "/api/cart/items", { body: { productId, quantity: 1 } });
  for (let b = 0; b < BOTS; b += 1) for (let i = 0; i < 200 && (await add(b)).code !== "rate_limited"; i += 1);
  const refused = await measured(pids, background, 2_400, BOTS * LANES, add);
  bots.forEach((b) => b.close());
  const refusals = refused.replies.filter((r) => r.code === "rate_limited" || r.code === "insufficient_stock").length;

  // The drop's own requests, each from a shopper of its own: the product as JSON, an add refused
  // because the units are gone (the sale is over), a join of the line (the sale is over, so the
  // ledger has been checked), the line read, a stream opened and dropped.
  // First Next's own floor, a route that answers "ok": what any request through the framework
  // costs on this machine today, to read the others (and other days' runs) against.
  const API = 300;
  const kinds: [ApiKind, (c: HttpClient) => Promise<Reply | number>][] = [
    ["floor", (c) => c.call("page", "GET", "/api/health/live")],
    ["product", (c) => c.call("page", "GET", `/api/products/${slug}`)],
    ["soldOutAdd", (c) => c.call("add", "POST", "/api/cart/items", { body: { productId, quantity: 1 } })],
    ["lineJoin", (c) => c.call("join", "POST", "/api/waitlist", { body: { productId, quantity: 1 } })],
    ["lineRead", (c) => c.call("waitlist", "GET", "/api/waitlist")],
    ["streamOpened", (c) => c.abandonStream(`/api/stock/stream?ids=${productId}`, false)],
  ];
  const api = {} as RequestCost["api"];
  for (const [k, [kind, send]] of kinds.entries()) {
    const answered = await measured(pids, background, API, 10, async (i) => {
      const client = new HttpClient(base, shopperAddress(PAGES * 2 + k * API + i), "shopper", recorder, 1);
      const reply = await send(client);
      client.close();
      return typeof reply === "number" ? ({ status: reply } as Reply) : reply;
    });
    const n = answered.replies.filter((r) => r.status > 0 && r.status < 500 && r.status !== 429).length;
    api[kind] = { cpuMs: per(answered.cpuMs, n), n };
  }

  return {
    productPage: { cpuMs: per(product.cpuMs, served(product.replies)), n: served(product.replies) },
    catalogPage: { cpuMs: per(catalog.cpuMs, served(catalog.replies)), n: served(catalog.replies) },
    // Only when (nearly) every request was a refusal is the figure what a refusal costs.
    refusal: { cpuMs: refusals >= refused.replies.length * 0.95 ? per(refused.cpuMs, refusals) : null, n: refusals },
    api,
  };
}

function per(cpuMs: number, n: number): number {
  return Math.round((cpuMs / Math.max(1, n)) * 1_000) / 1_000;
}
