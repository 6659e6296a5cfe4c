/**
 * `npm run bench`: the benchmarks, printed as markdown tables and saved as JSON in .bench/.
 * Uses its own database (holdcart_bench) and Redis db (12) on the local servers, so it never
 * touches a developer's data. Override with BENCH_PG_ADMIN_URL / BENCH_REDIS_BASE.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";

const pgAdmin = new URL(process.env.BENCH_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
pgAdmin.pathname = "/holdcart_bench";
Object.assign(process.env, {
  NODE_ENV: "production",
  DATABASE_URL: pgAdmin.toString(),
  REDIS_URL: `${process.env.BENCH_REDIS_BASE ?? "redis://127.0.0.1:6379"}/12`,
  SWEEP_INTERVAL_MS: process.env.SWEEP_INTERVAL_MS ?? "1000",
  NEW_CARTS_PER_IP_PER_MINUTE: "0",
  SESSION_SECRET: "bench-session-secret-bench-session-secret",
  ADMIN_TOKEN: "bench-admin-token",
});

const { migrateDatabase } = await import("../lib/db/migrate");
const { closeDb } = await import("../lib/db/client");
const { closeRedis } = await import("../lib/redis/client");
const { expiryLagBenchmark } = await import("./expiry-lag");

const progress = (line: string) => console.error(`[bench] ${line}`);
const ms = (v: number | null) => (v === null ? "–" : Number.isFinite(v) ? `${v}` : "> 60 000");
const sizes = (process.env.BENCH_EXPIRY_SIZES ?? "0,10000,100000").split(",").map(Number);

await migrateDatabase(process.env.DATABASE_URL as string);
const started = new Date();
const expiry = await expiryLagBenchmark(sizes, progress);
const sweepMs = Number(process.env.SWEEP_INTERVAL_MS);

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const lines = [
  `## Expiry → stock restored (ms after the deadline), 1,000 carts expiring together`,
  ``,
  `${machine}; SWEEP_INTERVAL_MS=${sweepMs} (target: p99 ≤ ${sweepMs + 1000} ms); ${started.toISOString()}`,
  ``,
  `| implementation | other live carts | p50 | p99 | max | still held after 60 s |`,
  `| --- | ---: | ---: | ---: | ---: | ---: |`,
  ...expiry.map(
    (r) =>
      `| ${r.implementation} | ${r.otherLiveCarts.toLocaleString("en")} | ${ms(r.p50Ms)} | ${ms(r.p99Ms)} | ${ms(r.maxMs)} | ${r.stillHeld} |`,
  ),
];
console.log(lines.join("\n"));
mkdirSync(".bench", { recursive: true });
const file = `.bench/results-${started.toISOString().replaceAll(":", "-")}.json`;
writeFileSync(
  file,
  JSON.stringify(
    { machine, started, sweepIntervalMs: sweepMs, expiry },
    (_k, v) => (v === Infinity ? "Infinity" : v),
    2,
  ),
);
console.error(`[bench] saved ${file}`);
await closeRedis();
await closeDb();
