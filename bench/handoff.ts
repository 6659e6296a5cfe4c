/**
 * The waiting line's hand-off, against the production build (web + worker): the time from a
 * hold's deadline (database clock, the cart's `expiresAt`) to the waiter's open page hearing of
 * the offer on its stock stream, and to the waiter's cart read showing it (what the page does
 * next). Each round: a product of one unit held by one shopper with a short hold, one waiter in
 * line with a stream open; rounds start a little apart, so deadlines are spread over time.
 */
import { sql } from "drizzle-orm";
import { db } from "../lib/db/client";
import { percentile } from "./stats";
import { WebProcess } from "../scripts/harness/web-process";
import { WorkerProcess } from "../scripts/harness/worker-process";

export type HandOffRow = {
  rounds: number;
  handedOver: number;
  /** Rounds whose stream was not yet open at the deadline (counted, not timed). */
  lateStreams: number;
  holdSeconds: number;
  sweepIntervalMs: number;
  /** Deadline → the worker's release (with its hand-off) committed, from the worker's log. */
  releaseP50Ms: number | null;
  releaseP99Ms: number | null;
  /** Releases by the expiry event (the rest by the sweeper). */
  eventReleases: number;
  toStreamP50Ms: number | null;
  toStreamP99Ms: number | null;
  toCartP50Ms: number | null;
  toCartP99Ms: number | null;
  maxMs: number | null;
};

const ROUNDS = Number(process.env.BENCH_HANDOFF_ROUNDS ?? 120);
const HOLD_SECONDS = 5;
export const START_EVERY_MS = 100;

type Jar = Map<string, string>;
const cookieOf = (jar: Jar) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
function keep(jar: Jar, response: Response): void {
  for (const line of response.headers.getSetCookie()) {
    const [name, ...value] = (line.split(";")[0] ?? "").split("=");
    if (name) jar.set(name, value.join("="));
  }
}

async function post(url: string, jar: Jar, body: unknown): Promise<Response> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: cookieOf(jar) },
    body: JSON.stringify(body),
  });
  keep(jar, response);
  return response;
}

/**
 * Opens the waiter's stream; `ready` resolves when its first message arrives (it is subscribed),
 * `heard` with Date.now() when it carries an `offer` event (or null after `ms`).
 */
function listen(url: string, jar: Jar, ms: number): { ready: Promise<number>; heard: Promise<number | null> } {
  let onReady: (at: number) => void = () => {};
  const ready = new Promise<number>((resolve) => (onReady = resolve));
  return { ready, heard: offerHeard(url, jar, ms, () => onReady(Date.now())) };
}

async function offerHeard(url: string, jar: Jar, ms: number, onFirstMessage: () => void): Promise<number | null> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  try {
    const response = await fetch(url, { headers: { cookie: cookieOf(jar) }, signal: abort.signal });
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    let text = "";
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) return null;
      text += decoder.decode(chunk.value, { stream: true });
      if (text.includes("data: ")) onFirstMessage();
      if (text.includes("event: offer")) return Date.now();
    }
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

type Round = { toStream: number; toCart: number } | "late" | null;

async function round(base: string, productId: number): Promise<Round> {
  const holder: Jar = new Map();
  const waiter: Jar = new Map();
  const held = await post(`${base}/api/cart/items`, holder, { productId, quantity: 1 });
  const { cart } = (await held.json()) as { cart: { expiresAt: string } };
  const joined = await post(`${base}/api/waitlist`, waiter, { productId, quantity: 1 });
  if (held.status !== 200 || joined.status !== 201) {
    console.error(
      `[bench] hand-off round for ${productId}: hold ${held.status}, join ${joined.status} ${await joined.text()}`,
    );
    return null;
  }
  const stream = listen(`${base}/api/stock/stream?ids=${productId}`, waiter, HOLD_SECONDS * 1_000 + 15_000);
  const deadline = Date.parse(cart.expiresAt);
  // A stream that was not yet listening at the deadline cannot measure it (the page would see the
  // offer on its next load instead): such a round is counted, not timed.
  const readyAt = await Promise.race([stream.ready, stream.heard.then(() => Infinity)]);
  const heardAt = await stream.heard;
  if (readyAt > deadline) return "late";
  if (heardAt === null) {
    console.error(`[bench] hand-off round for ${productId}: no offer heard`);
    return null;
  }
  const read = await fetch(`${base}/api/cart`, { headers: { cookie: cookieOf(waiter) } });
  const { cart: mine } = (await read.json()) as { cart: { items: { productId: number }[] } };
  const shownAt = Date.now();
  if (!mine.items.some((i) => i.productId === productId)) return null;
  return { toStream: heardAt - deadline, toCart: shownAt - deadline };
}

export async function handOffBenchmark(progress: (line: string) => void): Promise<HandOffRow> {
  const sweepIntervalMs = Number(process.env.SWEEP_INTERVAL_MS);
  const env = { CART_TTL_SECONDS: String(HOLD_SECONDS), OFFER_TTL_SECONDS: "60", MAX_STREAMS_PER_CLIENT: "10000" };
  // Products of this run alone, one unit each: nothing held or waited for from an earlier run.
  const run = Date.now().toString(36);
  const ids = (
    await db().execute<{ id: number }>(sql`
      insert into products (slug, name, price_cents, image_url)
      select 'bench-handoff-' || ${run} || '-' || g, 'Bench hand-off ' || g, 100, '/products/canvas-tote-bag.svg'
        from generate_series(1, ${ROUNDS}) g
      returning id`)
  ).map((r) => r.id);
  await db().execute(sql`
    insert into inventory (product_id, on_hand, available)
    select id, 1, 1 from products where slug like ${`bench-handoff-${run}-%`}`);
  const web = new WebProcess(env);
  const worker = new WorkerProcess({ ...env, SWEEP_INTERVAL_MS: String(sweepIntervalMs) }, { production: true });
  await Promise.all([web.start(), worker.started()]);
  try {
    progress(`hand-off: ${ROUNDS} rounds, holds of ${HOLD_SECONDS} s`);
    const results = await Promise.all(
      ids.map(async (productId, i) => {
        await new Promise((r) => setTimeout(r, i * START_EVERY_MS));
        return round(web.url, productId);
      }),
    );
    const done = results.filter((r): r is { toStream: number; toCart: number } => r !== null && r !== "late");
    const toStream = done.map((r) => r.toStream).sort((a, b) => a - b);
    const toCart = done.map((r) => r.toCart).sort((a, b) => a - b);
    const lags = worker.releases().map((r) => Number(r.lagMs));
    return {
      rounds: ROUNDS,
      handedOver: done.length,
      lateStreams: results.filter((r) => r === "late").length,
      holdSeconds: HOLD_SECONDS,
      sweepIntervalMs,
      releaseP50Ms: percentile(lags, 50),
      releaseP99Ms: percentile(lags, 99),
      eventReleases: worker.releases().filter((r) => r.path === "event").length,
      toStreamP50Ms: percentile(toStream, 50),
      toStreamP99Ms: percentile(toStream, 99),
      toCartP50Ms: percentile(toCart, 50),
      toCartP99Ms: percentile(toCart, 99),
      maxMs: toCart.at(-1) ?? null,
    };
  } finally {
    await Promise.all([worker.stop(), web.stop()]);
  }
}
