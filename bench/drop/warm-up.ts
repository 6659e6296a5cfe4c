/**
 * A drop opens on a store that has been serving: its web processes have loaded every route's
 * code, opened their database connections and compiled the ledger's functions long before. A
 * freshly started web does all of that in the sale's first second instead (in a profile of a cold
 * opening, a second of module compiling per process and every batch of that second waiting on a
 * new Postgres connection), which is not what a drop meets. So before the sale, clients of their
 * own (127.9.x.y: neither shoppers nor bots) go through what the sale will ask for, on another
 * product, at once, so that every web process and most of each pool take part. What they hold ends
 * with their holds' TTL, long before the ledger is checked.
 */
import { warmUpAddress } from "./addresses";
import { HttpClient, PAGE_HEADERS, Recorder } from "./client";

/** How many clients warm the store up at once: enough to open both processes' pools. */
const CLIENTS = 40;

export async function warmUp(base: string, product: { id: number; slug: string }): Promise<void> {
  const recorder = new Recorder();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, i) => {
      const client = new HttpClient(base, warmUpAddress(i), "shopper", recorder);
      await client.call("page", "GET", `/products/${product.slug}`, { headers: PAGE_HEADERS });
      await client.call("page", "GET", `/api/products/${product.slug}`);
      await client.call("add", "POST", "/api/cart/items", { body: { productId: product.id, quantity: 1 } });
      await client.call("cart", "GET", "/api/cart");
      // Refused (the product is in stock): the route and the line's function are loaded all the same.
      await client.call("join", "POST", "/api/waitlist", { body: { productId: product.id, quantity: 1 } });
      await client.call("waitlist", "GET", "/api/waitlist");
      await client.call("leave", "DELETE", `/api/waitlist/${product.id}`);
      await client.call("page", "GET", `/products/${product.slug}`, { headers: PAGE_HEADERS });
      const stream = await client.stream(`/api/stock/stream?ids=${product.id}`, () => {});
      stream.close();
    }),
  );
  const failed = recorder.outcomes.filter((o) => o.status === 0 || o.status >= 500);
  if (failed.length > 0) throw new Error(`warming the store up: ${failed.length} requests failed (${failed[0]?.code})`);
}
