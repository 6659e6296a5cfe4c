/**
 * COMPARISON ONLY, not part of the product: the article's pattern, an expiry listener that
 * restores stock when Redis says a cart key expired. Events only: no sweeper, no dedupe, no
 * catch-up. The benchmark runs it beside the real worker to show what the sweeper buys.
 */
import { Redis } from "ioredis";
import postgres from "postgres";

const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379/0";
const sql = postgres(process.env.DATABASE_URL ?? "", { max: 8, onnotice: () => {} });
const db = new URL(redisUrl).pathname.slice(1) || "0";
const subscriber = new Redis(redisUrl);
const commands = new Redis(redisUrl);

await commands.config("SET", "notify-keyspace-events", "Ex");
await subscriber.subscribe(`__keyevent@${db}__:expired`);
subscriber.on("message", (_channel: string, key: string) => {
  const cartId = /^cart:\{(.+)\}:session$/.exec(key)?.[1];
  if (!cartId) return;
  void sql.begin(async (tx) => {
    const lines = await tx<{ product_id: number; quantity: number }[]>`
      delete from reservations where cart_id = ${cartId} returning product_id, quantity`;
    for (const line of lines) {
      await tx`update inventory set available = available + ${line.quantity}, reserved = reserved - ${line.quantity}
               where product_id = ${line.product_id}`;
    }
    await tx`update carts set state = 'expired', ended_at = now() where id = ${cartId} and state = 'active'`;
  });
});
console.log(JSON.stringify({ event: "worker_started", naive: true }));
process.on("SIGTERM", () => {
  subscriber.disconnect();
  commands.disconnect();
  void sql.end({ timeout: 2 }).finally(() => process.exit(0));
});
