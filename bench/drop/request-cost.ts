/**
 * What one request costs the web processes, measured on the store right after the sale (same
 * processes, same data, nothing else asking): web CPU time (/proc/PID/stat, every web process)
 * per product page view, per catalog page view and per refused add of a client over its rate
 * (the door's 429, answered before the framework).
 */
import { cpuMsOf } from "../../scripts/harness/process-stats";
import { HttpClient, Recorder, type Reply } from "./client";

export type RequestCost = {
  /** Web CPU ms per view, and how many views it was measured over. */
  productPage: { cpuMs: number; n: number };
  catalogPage: { cpuMs: number; n: number };
  /** Web CPU ms per 429 `rate_limited`, over `n` of them (null: none was refused). */
  refusal: { cpuMs: number | null; n: number };
  /** Web CPU ms per request of the kinds a drop's shoppers send most, each answered as in the drop. */
  api: Record<ApiKind, { cpuMs: number; n: number }>;
};

export type ApiKind = "product" | "soldOutAdd" | "lineRead" | "streamOpened";

const webCpuMs = (pids: readonly number[]) => pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0);

/** Sends `count` requests, `concurrency` at a time; answers the web CPU spent on them and the replies. */
async function measured(
  pids: readonly number[],
  count: number,
  concurrency: number,
  send: (i: number) => Promise<Reply>,
): Promise<{ cpuMs: number; replies: Reply[] }> {
  const replies: Reply[] = [];
  let next = 0;
  const before = webCpuMs(pids);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) replies.push(await send(next++));
    }),
  );
  return { cpuMs: webCpuMs(pids) - before, replies };
}

const HTML = { accept: "text/html" };

export async function requestCost(
  base: string,
  pids: readonly number[],
  {
    slug,
    productId,
    shopperAddress,
    botAddress,
  }: { slug: string; productId: number; shopperAddress: (i: number) => string; botAddress: string },
): Promise<RequestCost> {
  const recorder = new Recorder(); // its own: these answers are not the sale's
  // Each view from a shopper of its own (as in a drop), so none is over its rate.
  const view = (path: string) => (i: number) =>
    new HttpClient(base, shopperAddress(i), "shopper", recorder, 1).call("page", "GET", path, { headers: HTML });
  const PAGES = 300;
  // Warm: the first views compile and fill caches; they are not what a drop's thousandth view costs.
  await measured(pids, 20, 5, view(`/products/${slug}`));
  const product = await measured(pids, PAGES, 10, view(`/products/${slug}`));
  const catalog = await measured(pids, PAGES, 10, view("/"));
  const served = (replies: Reply[]) => replies.filter((r) => r.status === 200).length;

  // A bot over its rate: it empties its bucket, then every add it sends is refused at the door.
  const bot = new HttpClient(base, botAddress, "bot", recorder, 20);
  const add = () => bot.call("add", "POST", "/api/cart/items", { body: { productId, quantity: 1 } });
  for (let i = 0; i < 200 && (await add()).code !== "rate_limited"; i += 1);
  const refused = await measured(pids, 3_000, 20, add);
  const refusals = refused.replies.filter((r) => r.code === "rate_limited").length;

  // The drop's own requests, each from a shopper of its own: the product as JSON, an add refused
  // because the units are gone (the sale is over), the line read, a stream opened and dropped.
  const API = 300;
  const kinds: [ApiKind, (c: HttpClient) => Promise<Reply | number>][] = [
    ["product", (c) => c.call("page", "GET", `/api/products/${slug}`)],
    ["soldOutAdd", (c) => c.call("add", "POST", "/api/cart/items", { body: { productId, quantity: 1 } })],
    ["lineRead", (c) => c.call("waitlist", "GET", "/api/waitlist")],
    ["streamOpened", (c) => c.abandonStream(`/api/stock/stream?ids=${productId}`, false)],
  ];
  const api = {} as RequestCost["api"];
  for (const [k, [kind, send]] of kinds.entries()) {
    const answered = await measured(pids, API, 10, async (i) => {
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
