/**
 * COMPARISON ONLY, not part of the product: the article's add-to-cart, on a bare node:http
 * server. Session key with a TTL, a cart hash, and an unconditional stock decrement in Postgres
 * (no transaction, no ledger, no check): fast, and it oversells. `npm run bench` measures it
 * beside the real app on the same machine in the same run.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { Redis } from "ioredis";
import postgres from "postgres";

const TTL_S = 900;
const sql = postgres(process.env.DATABASE_URL ?? "", {
  max: Number(process.env.DATABASE_POOL_MAX ?? 20),
  onnotice: () => {},
});
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379/0");

const sessionOf = (cookie: string | undefined) => /(?:^|;\s*)naive=([0-9a-f-]{36})/.exec(cookie ?? "")?.[1];

const server = createServer((req, res) => {
  const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    void (async () => {
      try {
        if (req.method === "POST" && req.url === "/api/cart/items") {
          const { productId, quantity } = JSON.parse(Buffer.concat(chunks).toString()) as {
            productId: number;
            quantity: number;
          };
          const existing = sessionOf(req.headers.cookie);
          const sid = existing ?? randomUUID();
          await sql`update naive_stock set stock = stock - ${quantity} where product_id = ${productId}`;
          const [, , , [, lines]] = (await redis
            .multi()
            .set(`naive:{${sid}}:session`, "1", "EX", TTL_S)
            .hincrby(`naive:{${sid}}:lines`, String(productId), quantity)
            .expire(`naive:{${sid}}:lines`, TTL_S)
            .hgetall(`naive:{${sid}}:lines`)
            .exec()) as [unknown, unknown, unknown, [unknown, Record<string, string>]];
          send(200, { cart: lines }, existing ? {} : { "set-cookie": `naive=${sid}; HttpOnly; Path=/` });
        } else if (req.method === "GET" && req.url === "/api/cart") {
          const sid = sessionOf(req.headers.cookie);
          if (!sid) return send(200, { cart: {} });
          const [[, lines], [, ttl]] = (await redis
            .multi()
            .hgetall(`naive:{${sid}}:lines`)
            .pttl(`naive:{${sid}}:session`)
            .exec()) as [[unknown, Record<string, string>], [unknown, number]];
          send(200, { cart: lines, ttlMs: ttl });
        } else send(404, { error: "not found" });
      } catch (error) {
        send(500, { error: (error as Error).message });
      }
    })();
  });
});

await sql`create table if not exists naive_stock (product_id integer primary key, stock integer not null)`;
server.listen(Number(process.env.PORT ?? 3399), "127.0.0.1", () => console.log(JSON.stringify({ event: "listening" })));
process.on("SIGTERM", () => {
  server.close();
  redis.disconnect();
  void sql.end({ timeout: 2 }).finally(() => process.exit(0));
});
