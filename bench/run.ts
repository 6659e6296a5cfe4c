/**
 * `npm run bench`: the benchmarks, printed as markdown tables and saved as JSON in .bench/.
 * Uses its own database (holdcart_bench) and Redis db (12) on the local servers, so it never
 * touches a developer's data. Override with BENCH_PG_ADMIN_URL / BENCH_REDIS_BASE, and the names
 * with BENCH_DATABASE / BENCH_REDIS_DB.
 *
 * One part alone: `npm run bench -- http` (or hot-row, expiry, streams, handoff), or BENCH_ONLY=http.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";

const pgAdmin = new URL(process.env.BENCH_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
pgAdmin.pathname = `/${process.env.BENCH_DATABASE ?? "holdcart_bench"}`;
Object.assign(process.env, {
  NODE_ENV: "production",
  DATABASE_URL: pgAdmin.toString(),
  REDIS_URL: `${process.env.BENCH_REDIS_BASE ?? "redis://127.0.0.1:6379"}/${process.env.BENCH_REDIS_DB ?? 12}`,
  SWEEP_INTERVAL_MS: process.env.SWEEP_INTERVAL_MS ?? "1000",
  DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX ?? "20",
  // Load tests make many carts from one address and grow carts far past a shopper's limits,
  // over up to 500 connections (the refusal rows turn the limits on for themselves).
  NEW_CARTS_PER_IP_PER_MINUTE: "0",
  RATE_LIMIT_PER_SECOND: "0",
  MAX_CONNECTIONS_PER_CLIENT: "0",
  HOLD_LIMITS: "off",
  MAX_QTY_PER_LINE: "10000",
  MAX_LINES: "1000",
  MAX_UNITS_PER_CART: "100000",
  SESSION_SECRET: "bench-session-secret-bench-session-secret",
  ADMIN_TOKEN: "bench-admin-token-0123456789abcdef0123",
});

const { migrateDatabase } = await import("../lib/db/migrate");
const { closeDb } = await import("../lib/db/client");
const { closeRedis } = await import("../lib/redis/client");
const { expiryLagBenchmark } = await import("./expiry-lag");
const { httpBenchmarks } = await import("./http");
const { hotRowBenchmark } = await import("./hot-row");
const { streamBenchmarks } = await import("./streams");
const { handOffBenchmark, START_EVERY_MS } = await import("./handoff");
type HttpRow = Awaited<ReturnType<typeof httpBenchmarks>>[number];

const progress = (line: string) => console.error(`[bench] ${line}`);
const ms = (v: number | null) => (v === null ? "–" : Number.isFinite(v) ? `${v}` : "> 60 000");
const sizes = (process.env.BENCH_EXPIRY_SIZES ?? "0,100000,1000000").split(",").map(Number);

const only = process.argv[2] ?? process.env.BENCH_ONLY; // "hot-row", "http", "expiry" or "streams" to run one part
const runs = (part: string) => only === undefined || only === part;
const seconds = Number(process.env.BENCH_DURATION_S ?? 10);

await migrateDatabase(process.env.DATABASE_URL as string);
const started = new Date();
const hotRow = runs("hot-row") ? await hotRowBenchmark(seconds, [50, 500], progress) : [];
const http = runs("http") ? await httpBenchmarks(seconds, progress) : [];
const expiry = runs("expiry") ? await expiryLagBenchmark(sizes, progress) : [];
const streams = runs("streams") ? await streamBenchmarks(progress) : null;
const handOff = runs("handoff") ? await handOffBenchmark(progress) : null;
const sweepMs = Number(process.env.SWEEP_INTERVAL_MS);

const mean = (rows: HttpRow[], f: (r: HttpRow) => number) => rows.reduce((s, r) => s + f(r), 0) / (rows.length || 1);
const pick = (scenario: string, target: HttpRow["target"], connections: number) =>
  http.filter((r) => r.scenario.startsWith(scenario) && r.target === target && r.connections === connections);

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const httpSummary = (connections: number) => {
  const ours = pick("1.", "holdcart", connections);
  const naive = pick("1.", "naive", connections);
  const floor = pick("0.", "floor", connections);
  const x = (a: number, b: number) => `×${(a / b).toFixed(2)}`;
  return `- ${connections} connections, add to cart on one hot product: ${x(
    mean(ours, (r) => r.reqPerSec),
    mean(floor, (r) => r.reqPerSec),
  )} the framework floor's req/s, ${x(
    mean(ours, (r) => r.reqPerSec),
    mean(naive, (r) => r.reqPerSec),
  )} the naive server's, p99 ${x(
    mean(ours, (r) => r.p99Ms),
    mean(naive, (r) => r.p99Ms),
  )} the naive server's; CPU ${mean(ours, (r) => r.cpuMsPerRequest).toFixed(2)} ms per add (floor ${mean(floor, (r) => r.cpuMsPerRequest).toFixed(2)}, naive ${mean(naive, (r) => r.cpuMsPerRequest).toFixed(2)})`;
};
/** Web CPU per page view (the target: at most 1 ms for a catalog or product page). */
const pageSummary = () => {
  const cpu = (scenario: string) => http.find((r) => r.scenario.startsWith(scenario))?.cpuMsPerRequest ?? NaN;
  const scripted = cpu("13.") + cpu("14.");
  return `- page views of the seeded shop, web CPU per view (target ≤ 1 ms): product page ${cpu("6.")} ms, catalog ${cpu("7.")} ms (no cart: the shared render); a shopper with a cart, ${scripted.toFixed(3)} ms with scripts (the shared render and the read of the hold), ${cpu("8.")} ms without (rendered for them); the bench's catalog of 501 products ${cpu("5.")} ms compressed, ${cpu("5b.")} ms to a client that accepts no compression (2.2 MB of HTML); the files a new browser asks for with it, ${cpu("15.")} ms a script, ${cpu("16.")} ms a picture; a click's payload of a product page ${cpu("17.")} ms`;
};
/** Web CPU per refusal at the door (target ≤ 0.05 ms), against the same held 429 from Node alone. */
const refusalSummary = () => {
  const cpu = (scenario: string) => http.find((r) => r.scenario.startsWith(scenario))?.cpuMsPerRequest ?? NaN;
  const [door, floor] = [cpu("10."), cpu("12.")];
  return `- a refusal, web CPU (target ≤ 0.05 ms): ${cpu("9.")} ms for a new cart past its limit (answered at once); ${door} ms at the door (one web process), ${cpu("11.")} ms with a process per core; ${floor} ms for the same held 429 from a bare node:http server, so the door costs ×${(door / floor).toFixed(2)} Node's own floor at this rate`;
};
const httpLines =
  http.length === 0
    ? []
    : [
        `## Over HTTP, ${seconds} s each (the load generator on the same machine)`,
        ``,
        `| scenario | server | connections | req/s | p50 ms | p99 ms | errors | non-2xx | web CPU ms/req |`,
        `| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
        ...http.map(
          (r) =>
            `| ${r.scenario} | ${r.target} | ${r.connections} | ${r.reqPerSec} | ${r.p50Ms} | ${r.p99Ms} | ${r.errors} | ${r.non2xx} | ${r.cpuMsPerRequest} |`,
        ),
        ``,
        ...[50, 500].map(httpSummary),
        pageSummary(),
        refusalSummary(),
        ``,
      ];
const hotRowLines =
  hotRow.length === 0
    ? []
    : [
        `## The shared-tier ceiling: holds on ONE product at the database (no HTTP), ${seconds} s each`,
        ``,
        `| mode | at once | holds/s | p50 ms | p99 ms | errors | oversold (2,000 asks for 1,000 units) |`,
        `| --- | ---: | ---: | ---: | ---: | ---: | ---: |`,
        ...hotRow.map(
          (r) =>
            `| ${r.mode} | ${r.concurrency} | ${r.holdsPerSec} | ${r.p50Ms} | ${r.p99Ms} | ${r.errors} | ${r.oversold} |`,
        ),
        ``,
        ...[50, 500].map((c) => {
          const at = (mode: string) => hotRow.find((r) => r.mode === mode && r.concurrency === c)?.holdsPerSec ?? NaN;
          const coalesced = at("coalesced");
          return `- ${c} at once: coalesced ×${(coalesced / at("one statement per hold")).toFixed(1)} one statement per hold, ×${(coalesced / at("naive (unconditional)")).toFixed(1)} the naive statement; demand over 10 sizes ×${(at("coalesced, 10 sizes") / coalesced).toFixed(1)} one product's`;
        }),
        ``,
      ];
const expiryLines = !runs("expiry")
  ? []
  : [
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
      ``,
    ];
const streamLines = !streams
  ? []
  : [
      `## Live stock streams: web CPU per stock change (target ≤ 5 µs per open stream per change)`,
      ``,
      `${machine}; each stream watches a page of 20 products, the changes (goods received) hit one of them; "paced": one change per 1.5 s, so every change reaches every stream (the cost of one message); ${started.toISOString()}`,
      ``,
      `| open streams | changes | pace | seconds | web CPU ms | µs per change | µs per stream per change | messages per stream |`,
      `| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |`,
      ...streams.cpu.map(
        (r) =>
          `| ${r.streams.toLocaleString("en")} | ${r.changes} | ${r.pace} | ${r.seconds} | ${r.webCpuMs} | ${r.usPerChange} | ${r.usPerStreamPerChange ?? "–"} | ${r.messagesPerStream} |`,
      ),
      ``,
      `Web process memory while streams end early and stock keeps changing:`,
      ``,
      `| step | RSS MB | streams in /api/health |`,
      `| --- | ---: | ---: |`,
      ...streams.memory.map((r) => `| ${r.step} | ${r.rssMb} | ${r.healthStreams ?? "–"} |`),
      ``,
    ];
const handOffLines = !handOff
  ? []
  : [
      `## Waiting line: a hold's deadline → the waiter's page hears of the offer (ms)`,
      ``,
      `${machine}; ${handOff.rounds} rounds (one unit held ${handOff.holdSeconds} s, one waiter with a stream open), started ${START_EVERY_MS} ms apart; SWEEP_INTERVAL_MS=${handOff.sweepIntervalMs}; ${started.toISOString()}`,
      ``,
      `| handed over and timed | stream not yet open at the deadline | released by the event | release p50 | release p99 | stream p50 | stream p99 | cart read p50 | cart read p99 | max |`,
      `| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
      `| ${handOff.handedOver} / ${handOff.rounds} | ${handOff.lateStreams} | ${handOff.eventReleases} | ${ms(handOff.releaseP50Ms)} | ${ms(handOff.releaseP99Ms)} | ${ms(handOff.toStreamP50Ms)} | ${ms(handOff.toStreamP99Ms)} | ${ms(handOff.toCartP50Ms)} | ${ms(handOff.toCartP99Ms)} | ${ms(handOff.maxMs)} |`,
      ``,
    ];
const lines = [...hotRowLines, ...httpLines, ...expiryLines, ...streamLines, ...handOffLines];
console.log(lines.join("\n"));
mkdirSync(".bench", { recursive: true });
const file = `.bench/results-${started.toISOString().replaceAll(":", "-")}.json`;
writeFileSync(
  file,
  JSON.stringify(
    { machine, started, sweepIntervalMs: sweepMs, hotRow, http, expiry, streams, handOff },
    (_k, v) => (v === Infinity ? "Infinity" : v),
    2,
  ),
);
console.error(`[bench] saved ${file}`);
await closeRedis();
await closeDb();
