/**
 * `npm run drop` (after `npm run build`): a rehearsal of a drop against the production build, on
 * its own database (holdcart_drop, recreated each run) and Redis db (8). Prints the report as
 * markdown and saves it as JSON in .bench/ (drop-<time>.json and drop-latest.json). Exits 1 when
 * something that must always hold did not (oversold, ledger off, a cap or the line broken, a 5xx).
 *
 * DROP_UNITS (100), DROP_SHOPPERS (1000), DROP_BOTS (20), DROP_SECONDS (60), DROP_HOLD_SECONDS (20),
 * DROP_OFFER_SECONDS (15), DROP_ARRIVAL_SECONDS (10), DROP_BOT_LOOPS (2), DROP_BOT_STREAM_BURST (40),
 * DROP_MODE (both: "race", on sale from the opening, then "draw", released DROP_RELEASE_SECONDS (20)
 * after the opening and decided by a draw), DROP_PER_SHOPPER_LIMIT (a race: 0, none, so
 * MAX_QTY_PER_LINE; a draw: 2, as a drop is sold),
 * DROP_WORKERS (2), DROP_RUNS (1: with more, each run's report, then the min / median / max of the headline figures),
 * DROP_SEED; DROP_PG_ADMIN_URL, DROP_DATABASE, DROP_REDIS_BASE, DROP_REDIS_DB. WEB_NODE_ARGS are node's
 * options for the web processes (`--cpu-prof --cpu-prof-dir=.bench/prof` to profile them).
 * DROP_PG_HA=1: on the pg_auto_failover pair of `npm run pg:ha` (started if it is not running; its
 * DATABASE_URL instead of DROP_PG_ADMIN_URL), the primary's postmaster killed (SIGKILL)
 * DROP_KILL_PRIMARY_SECONDS (20; 0: not) into each sale: every shopper's acknowledged order must
 * be in the new primary's ledger, and every 5xx a 503 with Retry-After.
 * DROP_OUTCOMES_FILE: where to write every answer of the sale (kind, side, status, code, ms, and
 * when it came, from the opening's `opened`), to see latency by the second a request was sent.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { withDatabase } from "../../lib/base/database-url";
import { PgHa } from "../../scripts/pg-ha";
import { playDrop, type DropOptions } from "./drop";
import { summaryMarkdown, toMarkdown } from "./report";

const env = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number ≥ 0`);
  return value;
};

const options = {
  units: env("DROP_UNITS", 100),
  shoppers: env("DROP_SHOPPERS", 1_000),
  bots: env("DROP_BOTS", 20),
  seconds: env("DROP_SECONDS", 60),
  // Short enough that units come back (and go to the line) two or three times in a minute's
  // sale, long enough for a shopper to think and check out: 20 s.
  holdSeconds: env("DROP_HOLD_SECONDS", 20),
  offerSeconds: env("DROP_OFFER_SECONDS", 15),
  arrivalSeconds: env("DROP_ARRIVAL_SECONDS", 10),
  releaseSeconds: env("DROP_RELEASE_SECONDS", 20),
  botLoops: env("DROP_BOT_LOOPS", 2),
  botStreamBurst: env("DROP_BOT_STREAM_BURST", 40),
  workers: env("DROP_WORKERS", 2),
  sweepIntervalMs: env("SWEEP_INTERVAL_MS", 1_000),
  seed: env("DROP_SEED", Date.now() % 100_000),
  pgAdminUrl: process.env.DROP_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
  database: process.env.DROP_DATABASE ?? "holdcart_drop",
  redisBase: process.env.DROP_REDIS_BASE ?? "redis://127.0.0.1:6379",
  redisDb: env("DROP_REDIS_DB", 8),
  // Postgres' connections are shared with whatever else runs here: 20 for the web, 4 per worker.
  webPoolMax: env("DROP_WEB_POOL_MAX", 20),
  workerPoolMax: env("DROP_WORKER_POOL_MAX", 4),
  progress: (line: string) => console.error(`[drop] ${line}`),
};

// On a highly available pair: its URL, and its primary lost in the middle of each sale.
let outage: DropOptions["outage"];
const ha = process.env.DROP_PG_HA === "1" ? new PgHa() : null;
if (ha) {
  options.progress("starting (or finding) the pg_auto_failover pair of npm run pg:ha");
  await ha.start();
  options.pgAdminUrl = withDatabase(ha.databaseUrl, "postgres");
  const atSeconds = env("DROP_KILL_PRIMARY_SECONDS", 20);
  if (atSeconds > 0)
    outage = {
      atSeconds,
      cause: () => {
        const primary = ha.nodePorts.indexOf(ha.primaryPort());
        const pid = ha.postmasterPid(primary);
        if (!pid) throw new Error("the primary's postmaster is not running");
        process.kill(pid, "SIGKILL");
        return `the primary's postmaster (node${primary + 1}) killed with SIGKILL`;
      },
    };
}

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const set = Object.entries(process.env)
  .filter(([k]) => k.startsWith("DROP_"))
  .map(([k, v]) => `${k}=${v} `)
  .join("");
const command = `${set}npm run drop`;

const mode = process.env.DROP_MODE ?? "both";
if (!["race", "draw", "both"].includes(mode)) throw new Error("DROP_MODE must be race, draw or both");
const modes = (mode === "both" ? ["race", "draw"] : [mode]) as ("race" | "draw")[];
const limitOf = (m: "race" | "draw") => env("DROP_PER_SHOPPER_LIMIT", m === "draw" ? 2 : 0);

const runs = env("DROP_RUNS", 1);
const results: Record<"race" | "draw", Awaited<ReturnType<typeof playDrop>>[]> = { race: [], draw: [] };
for (let run = 1; run <= runs; run += 1) {
  for (const m of modes) {
    // The pair back to a primary and a synchronous standby after the last sale's kill.
    if (ha) await ha.waitHealthy(120_000);
    // Each run its own seed, so three runs are three different crowds (the same crowd in both modes).
    const result = await playDrop({
      ...options,
      mode: m,
      perShopperLimit: limitOf(m),
      outage,
      seed: options.seed + (run - 1) * 1_000,
    });
    results[m].push(result);
    console.log(`# ${m === "draw" ? "A draw" : "A race"}${runs > 1 ? `, run ${run} of ${runs}` : ""}\n`);
    console.log(toMarkdown(result, { machine, command }));
    mkdirSync(".bench", { recursive: true });
    const json = JSON.stringify({ machine, command, ...result }, null, 2);
    const file = `.bench/drop-${result.startedAt.replaceAll(":", "-")}.json`;
    writeFileSync(file, json);
    writeFileSync(".bench/drop-latest.json", json);
    console.error(`[drop] saved ${file} and .bench/drop-latest.json`);
    if (result.violations.length > 0) process.exitCode = 1;
  }
}
for (const m of modes) if (runs > 1) console.log(summaryMarkdown(results[m], m));
