/**
 * A seeded random source and an abortable sleep: a rehearsal is replayed with the same DROP_SEED,
 * and every wait of a shopper or a bot ends the moment the sale closes.
 */

/**
 * A tiny deterministic generator (LCG), one per actor, so actors do not share a sequence. The seed
 * is mixed first (a 32-bit avalanche hash): actors get consecutive seeds, and an LCG's first
 * outputs from consecutive seeds differ by a constant step (multiplier / 2^32), so 1,000 shoppers'
 * first draws (their arrival times) fell in one narrow band instead of spreading out.
 */
export function seeded(seed: number): () => number {
  let s = mix(seed >>> 0) || 1;
  return () => (s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
}

function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A number in [min, max). */
export const between = (rnd: () => number, min: number, max: number): number => min + rnd() * (max - min);

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
