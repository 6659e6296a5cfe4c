import { Shopper } from "./shopper";

export type StatusCounts = Record<string, number>;

/**
 * `count` shoppers adding one unit at a time to their own carts until `stop()` — each request
 * timed, its status counted, and any 5xx kept with its body for the test to inspect.
 */
export function shoppersAdding(baseUrl: string, productIds: number[], count: number) {
  const statuses: StatusCounts = {};
  const serverErrors: { at: number; status: number; body: unknown }[] = [];
  const okTimes: number[] = [];
  let running = true;
  const loops = Array.from({ length: count }, async (_, i) => {
    let shopper = new Shopper(baseUrl);
    let n = 0;
    while (running) {
      const productId = productIds[(i + n++) % productIds.length] as number;
      try {
        const r = await shopper.add(productId, 1);
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        if (r.status >= 500) serverErrors.push({ at: Date.now(), status: r.status, body: r.body });
        if (r.status === 200) okTimes.push(Date.now());
        if (r.status === 422 || r.status === 410) shopper = new Shopper(baseUrl); // cart full or over: start anew
      } catch (error) {
        statuses.network = (statuses.network ?? 0) + 1;
        serverErrors.push({ at: Date.now(), status: 0, body: String(error) });
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  return {
    statuses,
    serverErrors,
    okTimes,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

export const total = (s: StatusCounts) => Object.values(s).reduce((a, b) => a + b, 0);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
