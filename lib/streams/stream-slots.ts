import "server-only";
import { config } from "../base/config";
import { ShopError } from "../base/shop-error";

/** What a refused client is told to wait before trying again, in seconds. */
export const STREAM_RETRY_AFTER_S = 5;

type Slots = { total: number; perClient: Map<string, number> };

// On globalThis, like the stock feed: one count per process, whichever route module asks.
const globalForSlots = globalThis as unknown as { __holdcartStreamSlots?: Slots };
const slots = (): Slots => (globalForSlots.__holdcartStreamSlots ??= { total: 0, perClient: new Map() });

/**
 * Why `client` may not open another stock stream now (invariant 10: streams are capped per
 * client, MAX_STREAMS_PER_CLIENT, and in all, MAX_STREAMS, per web process), or null.
 */
export function streamRefusal(client: string): ShopError | null {
  const { total, perClient } = slots();
  const { maxStreams, maxStreamsPerClient } = config();
  if ((perClient.get(client) ?? 0) >= maxStreamsPerClient) {
    return new ShopError(
      "rate_limited",
      `At most ${maxStreamsPerClient} live stock streams per client: close a page, or try again shortly.`,
      { retryAfter: STREAM_RETRY_AFTER_S },
    );
  }
  if (total >= maxStreams) {
    return new ShopError("service_unavailable", "Too many live stock streams on this server; try again shortly.", {
      retryAfter: STREAM_RETRY_AFTER_S,
    });
  }
  return null;
}

/**
 * Takes one of `client`'s stream slots, or throws the refusal. The returned function gives the
 * slot back; calling it again does nothing, so every way a stream ends may call it.
 */
export function takeStreamSlot(client: string): () => void {
  const refusal = streamRefusal(client);
  if (refusal) throw refusal;
  const s = slots();
  s.total += 1;
  s.perClient.set(client, (s.perClient.get(client) ?? 0) + 1);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    s.total -= 1;
    const left = (s.perClient.get(client) ?? 1) - 1;
    if (left > 0) s.perClient.set(client, left);
    else s.perClient.delete(client);
  };
}

/** Stream slots held in this process: admitted streams, including those still reading their snapshot. */
export const heldStreamSlots = (): number => slots().total;
