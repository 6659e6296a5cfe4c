/**
 * A shopper who behaves like a person: arrives in the first seconds of the drop (most of them
 * early), opens the product page, asks for 1 or 2 units, joins the line when refused, thinks,
 * and then checks out, walks away (the hold runs out by itself), or asks once for more time.
 * In line, the page hears of an offer on its stock stream (7 in 10), by the long poll of the line a
 * page falls back on without the stream (a refused stream, a proxy that will not stream: 1 in 4),
 * or, without JavaScript, by the page's meta refresh to the long poll of such a page, which sends
 * it back to itself at the offer (1 in 20); patience runs out after a while. When the sale closes,
 * whoever is still in line leaves it. In a drop decided by a draw, a shopper who arrives before the release
 * is refused the add (not_released) and enters the draw instead, waiting for the result like any
 * place in line, patient from the release on.
 */
import { HttpClient, PAGE_HEADERS, type Reply } from "./client";
import { shopperAddress } from "./addresses";
import { between, seeded, sleep } from "./random";
import { streamPath, type Sale } from "./sale";

export type ShopperOutcome =
  | "bought"
  | "abandoned"
  | "stopped_at_close"
  | "expired_at_checkout"
  | "gave_up"
  | "left_line"
  | "declined_offer"
  | "let_offer_run_out"
  | "left_at_close"
  | "never_came"
  | "refused"
  | "failed";

export type ShopperLog = {
  address: string;
  outcome: ShopperOutcome;
  /** The refusal or failure that ended the visit, when one did. */
  code: string | null;
  unitsBought: number;
  joinedLine: boolean;
  /** The waiter id (the `waiter` cookie before its signature), to find this shopper's offer in the ledger. */
  waiterId: string | null;
  /** Date.now() when the page learnt of an offer, and how. */
  offerHeardAt: number | null;
  heardVia: "stream" | "long poll" | "no script" | "on load" | null;
  extension: "granted" | string | null;
  /** Times the server ended this shopper's stream while they waited (the page reconnected 2 s later). */
  streamDrops: number;
};

const CONTACT = { email: "shopper@example.com", name: "Drop Shopper" };
const MAX_RETRIES = 3;

export async function playShopper(sale: Sale, index: number, seed: number): Promise<ShopperLog> {
  const rnd = seeded(seed);
  const client = new HttpClient(sale.base, shopperAddress(index), "shopper", sale.recorder);
  const log: ShopperLog = {
    address: client.address,
    outcome: "never_came",
    code: null,
    unitsBought: 0,
    joinedLine: false,
    waiterId: null,
    offerHeardAt: null,
    heardVia: null,
    extension: null,
    streamDrops: 0,
  };
  const end = (outcome: ShopperOutcome, reply?: Reply) => {
    log.outcome = outcome;
    if (reply && reply.status !== 200 && reply.status !== 201) log.code = reply.code ?? String(reply.status);
    return log;
  };
  const closed = sale.closed;
  const think = (min: number, max: number) => sleep(between(rnd, min, max) * sale.holdMs, closed);
  // A person presses again when told to come back shortly (503 with Retry-After), a few times.
  const persist = async (attempt: () => Promise<Reply>): Promise<Reply> => {
    let reply = await attempt();
    for (let n = 1; n < MAX_RETRIES && (reply.status === 503 || reply.status === 0) && !closed.aborted; n += 1) {
      await sleep(Math.min(3, Math.max(0.5, reply.retryAfterS ?? 1)) * 1_000, closed);
      reply = await attempt();
    }
    return reply;
  };
  const add = (quantity: number) =>
    persist(() => client.call("add", "POST", "/api/cart/items", { body: { productId: sale.productId, quantity } }));

  const checkout = async (): Promise<ShopperLog> => {
    const placed = await persist(() => client.call("checkout", "POST", "/api/checkout", { body: CONTACT }));
    if (placed.status === 201) {
      log.unitsBought = (placed.body.order?.items ?? []).reduce(
        (n: number, item: { productId: number; quantity: number }) =>
          n + (item.productId === sale.productId ? item.quantity : 0),
        0,
      );
      return end("bought");
    }
    return end(placed.status === 410 ? "expired_at_checkout" : "failed", placed);
  };

  // Holding: think, then buy, walk away, or ask once for more time and decide after that.
  const holding = async (): Promise<ShopperLog> => {
    await think(0.1, 0.4);
    if (closed.aborted) return end("stopped_at_close");
    const roll = rnd();
    if (roll < 0.2) {
      const extended = await client.call("extend", "POST", "/api/cart/extend");
      log.extension = extended.status === 200 ? "granted" : (extended.code ?? String(extended.status));
      await think(0.1, 0.4);
      if (closed.aborted) return end("stopped_at_close");
      return rnd() < 0.6 ? checkout() : end("abandoned");
    }
    return roll < 0.45 ? end("abandoned") : checkout();
  };

  const waitInLine = async (quantity: number): Promise<ShopperLog> => {
    let joined = await persist(() =>
      client.call("join", "POST", "/api/waitlist", { body: { productId: sale.productId, quantity } }),
    );
    if (joined.status === 409 && joined.code === "in_stock") {
      // Units came back between the refusal and the join: add them after all.
      const again = await add(quantity);
      if (again.status === 200) return holding();
      joined = await persist(() =>
        client.call("join", "POST", "/api/waitlist", { body: { productId: sale.productId, quantity } }),
      );
    }
    if (joined.status !== 201 && joined.code !== "already_waiting") return end("refused", joined);
    log.joinedLine = true;
    log.waiterId = client.cookie("waiter")?.split(".")[0] ?? null;

    // The page: most have the live stream open; the rest ask the line itself (see the top).
    const patience = new AbortController();
    const untilRelease = sale.releaseAtMs === null ? 0 : Math.max(0, sale.releaseAtMs - Date.now());
    const gaveUp = setTimeout(() => patience.abort(), untilRelease + between(rnd, 1, 3) * sale.holdMs);
    const stop = AbortSignal.any([patience.signal, closed]);
    type Via = NonNullable<ShopperLog["heardVia"]>;
    let heard: (via: Via) => void = () => {};
    const offered = new Promise<Via>((resolve) => (heard = resolve));
    let stream = null as { close: () => void } | null;
    const page = rnd();
    const streaming = page < 0.7;
    const longPolling = !streaming && page < 0.95;
    const noScript = !streaming && !longPolling;
    // Like EventSource: when the server ends the stream, open it again after its `retry` (2 s).
    const listen = async (): Promise<void> => {
      const opened = await client.stream(
        streamPath(sale),
        () => heard("stream"),
        () => {
          log.streamDrops += 1;
          if (!stop.aborted) void sleep(2_000, stop).then(() => (stop.aborted ? undefined : listen()));
        },
      );
      if (stop.aborted) opened.close();
      else stream = opened.status === 200 ? opened : null;
    };
    if (streaming) await listen();
    const offerIn = (line: Reply) =>
      (line.body?.entries ?? []).some(
        (e: { productId: number; offer: unknown }) => e.productId === sale.productId && e.offer,
      );
    const pagePath = `/products/${sale.slug}`;
    const html = PAGE_HEADERS;
    const polling = (async () => {
      // A page reads the line on load (an offer made before the stream listened shows there). In
      // the draw, the page reads its result a second after the release by itself
      // (components/waitlist/join-waitlist.tsx).
      for (let first = true; !stop.aborted; first = false) {
        if (!first && noScript) {
          // The page's meta refresh, 2 s after it loaded, to the long poll of a page without
          // JavaScript (app/waitlist/wait), whose 303 brings the page back: with the offer's
          // banner on it once the offer is made. Told the store is busy, the page retries.
          await sleep(2_000, stop);
          if (stop.aborted) return;
          const waited = await client.call("waitlist", "GET", `/waitlist/wait?back=${encodeURIComponent(pagePath)}`, {
            headers: html,
            signal: stop,
          });
          if (stop.aborted) return;
          if (waited.status !== 303) {
            await sleep((waited.retryAfterS ?? 5) * 1_000, stop);
            continue;
          }
          const page = await client.call("reload", "GET", pagePath, { headers: html, signal: stop });
          if (typeof page.body === "string" && page.body.includes('data-testid="offers"')) return heard("no script");
          continue;
        }
        const untilResult = sale.releaseAtMs === null ? 0 : sale.releaseAtMs + 1_000 - Date.now();
        if (!first && untilResult > 0) await sleep(untilResult, stop);
        else if (!first && !longPolling) await sleep(between(rnd, 2, 4) * 1_000 * (stream ? 5 : 1), stop);
        if (stop.aborted) return;
        // Without the stream, the store's page asks by a long poll, answered at the offer
        // (components/cart/cart-store.tsx); it waits a few seconds after a refusal.
        const wait = !first && longPolling && untilResult <= 0;
        const line = await client.call("waitlist", "GET", wait ? "/api/waitlist?wait=25" : "/api/waitlist", {
          signal: stop,
        });
        if (offerIn(line)) return heard(wait ? "long poll" : "on load");
        if (wait && line.status !== 200 && line.status !== 0) await sleep(between(rnd, 3, 6) * 1_000, stop);
      }
    })();
    const stopped = new Promise<null>((r) => (stop.aborted ? r(null) : stop.addEventListener("abort", () => r(null))));
    const via = await Promise.race([offered, stopped]);
    clearTimeout(gaveUp);
    stream?.close();
    patience.abort(); // ends the polling loop
    await polling;

    if (via === null) {
      // Out of patience, or the sale closed: leave the line (declining an offer that just came).
      const left = await persist(() => client.call("leave", "DELETE", `/api/waitlist/${sale.productId}`));
      return end(closed.aborted ? "left_at_close" : "left_line", left.status === 200 ? undefined : left);
    }
    log.offerHeardAt = Date.now();
    log.heardVia = via;
    await client.call("cart", "GET", "/api/cart"); // the page shows the hold it was given
    await think(0.05, 0.25);
    if (closed.aborted) return end("stopped_at_close");
    const roll = rnd();
    if (roll < 0.1) {
      await client.call("leave", "DELETE", `/api/waitlist/${sale.productId}`);
      return end("declined_offer");
    }
    if (roll < 0.25) return end("let_offer_run_out");
    return checkout();
  };

  try {
    await sleep(sale.arrivalMs * rnd() ** 2, closed);
    if (closed.aborted) return log;
    // The product page as a browser asks for it (its scripts and styles come from a CDN or the
    // browser's cache, and the door does not count them).
    await client.call("page", "GET", `/products/${sale.slug}`, { headers: PAGE_HEADERS });
    const quantity = rnd() < 0.7 ? 1 : 2;
    const added = await add(quantity);
    if (added.status === 200) return await holding();
    if (added.status === 409 && added.code === "insufficient_stock") {
      return rnd() < 0.9 ? await waitInLine(quantity) : end("gave_up", added);
    }
    if (added.status === 409 && added.code === "not_released") return await waitInLine(quantity);
    return end("refused", added);
  } finally {
    client.close();
  }
}
