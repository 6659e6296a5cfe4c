/**
 * One drop, played against the production build: a fresh database and Redis db of its own, the
 * web server and the expiry workers as in production, one product of `units` on sale with short
 * holds, and for `seconds` the shoppers and bots of bench/drop/shopper.ts and bot.ts, each from
 * its own loopback address. Then the sale closes (whoever is in line leaves), every hold is waited
 * out, the ledger is checked, the database's own record of the sale is replayed, and the result
 * comes back as one object (bench/drop/report.ts prints it; the test asserts on it).
 *
 * The store runs with its per-client defenses on and at their defaults (caps, new carts per
 * minute, streams per client, no trusted proxy): the point is to see them work.
 */
import { setMaxListeners } from "node:events";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import postgres from "postgres";
import { withDatabase } from "../../lib/base/database-url";
import { migrateDatabase } from "../../lib/db/migrate";
import { freePort } from "../../scripts/harness/redis-server";
import { WebProcess } from "../../scripts/harness/web-process";
import { WorkerProcess } from "../../scripts/harness/worker-process";
import { percentile } from "../stats";
import { botAddress, shopperAddress, sideOf, type Side } from "./addresses";
import { installAudit, readAudit } from "./audit";
import { playBot, type BotLog } from "./bot";
import { Recorder, type Outcome } from "./client";
import { replay, type History } from "./history";
import { requestCost, type RequestCost } from "./request-cost";
import { rowLockHeld, scrapeText, type RowLockHeld } from "./row-lock";
import { sharedPageFigures, type SharedPageFigures } from "./shared-pages";
import { checkLedger, type LedgerCheck } from "./ledger-check";
import { drawFigures, type DrawFigures } from "./draw";
import { childPids, Monitor, redisServerPid, type MonitorResult } from "./monitor";
import { sleep } from "./random";
import type { Sale } from "./sale";
import { playShopper, type ShopperLog } from "./shopper";
import { warmUp } from "./warm-up";

/** When shoppers' requests were sent, in seconds after the opening: the rush, and after it. */
export const SENT_WINDOWS = [
  { label: "0-2 s", from: 0, to: 2 },
  { label: "2-5 s", from: 2, to: 5 },
  { label: "5-10 s", from: 5, to: 10 },
  { label: "10 s on", from: 10, to: Infinity },
];

export type DropOptions = {
  units: number;
  shoppers: number;
  bots: number;
  seconds: number;
  /** CART_TTL_SECONDS: how long a hold lasts. */
  holdSeconds: number;
  /** OFFER_TTL_SECONDS: how long units handed to the next in line are held for them. */
  offerSeconds: number;
  /** Shoppers arrive over this many seconds from the opening, most of them early. */
  arrivalSeconds: number;
  /** The product's limit per shopper (invariant 9); 0: none, so MAX_QTY_PER_LINE. */
  perShopperLimit: number;
  /**
   * "race": on sale from the opening, first come first served. "draw": the product's release is
   * set `releaseSeconds` after the opening; shoppers arriving before it enter the draw, bots enter
   * it with fresh identities again and again (invariant 11).
   */
  mode: "race" | "draw";
  releaseSeconds: number;
  /** Add-to-cart loops each bot runs at once. */
  botLoops: number;
  /** Streams each bot opens at once every 3 s and abandons (half at once, half after the answer's headers). */
  botStreamBurst: number;
  workers: number;
  sweepIntervalMs: number;
  seed: number;
  pgAdminUrl: string;
  database: string;
  redisBase: string;
  redisDb: number;
  webPoolMax: number;
  workerPoolMax: number;
  progress?: (line: string) => void;
  /**
   * Something done to the store's backends this many seconds into the sale (`npm run drop` on a
   * pg_auto_failover pair: its primary killed). `cause` does it and says what it did. With an
   * outage, a 503 that says when to try again (Retry-After) is the store's promised answer, not a
   * violation; every other 5xx still is.
   */
  outage?: { atSeconds: number; cause: () => string };
};

/** The store's per-client defenses, at the defaults a store runs with (README, Configuration). */
export const LIMITS = {
  HOLD_LIMITS: "on",
  NEW_CARTS_PER_IP_PER_MINUTE: "30",
  MAX_QTY_PER_LINE: "10",
  MAX_LINES: "20",
  MAX_UNITS_PER_CART: "50",
  MAX_STREAMS_PER_CLIENT: "16",
  MAX_STREAMS: "10000",
  MAX_HOLD_EXTENSIONS: "10",
  TRUSTED_PROXY_HOPS: "0",
  // The door at its defaults: every shopper and bot has an address of its own, so bots are
  // refused before Next runs and shoppers are not.
  RATE_LIMIT_PER_SECOND: "5",
  RATE_LIMIT_BURST: "20",
  MAX_CONNECTIONS_PER_CLIENT: "64",
} as const;

type Latency = { n: number; p50: number | null; p99: number | null };

/** What an outage during the sale did to the store's answers (DropOptions.outage). */
export type OutageFigures = {
  what: string;
  /** When it was caused, from the opening. */
  atMs: number;
  /** 503s answered from then on, every one with Retry-After (others are violations). */
  unavailable: number;
  unavailableWithoutRetryAfter: number;
  /**
   * From the outage to the first write begun after it and acknowledged (a hold, a place in line,
   * an order, leaving the line, more time): the store back on a primary.
   */
  firstWriteAfterMs: number | null;
  firstWrite: string | null;
  /** The longest request answered between the outage and that first write. */
  longestRequestMs: number;
};

export type DropResult = {
  options: Omit<DropOptions, "progress" | "pgAdminUrl" | "redisBase" | "outage">;
  outage: OutageFigures | null;
  limits: typeof LIMITS;
  startedAt: string;
  saleMs: number;
  sold: LedgerCheck["sold"] & { units: number };
  held: Pick<History, "cartsStarted" | "unitsHeld" | "unitSeconds" | "peakHeld" | "maxHeldByOneClient">;
  caps: {
    maxQtyPerLine: number;
    /** Replay of every committed change (bench/drop/history.ts). */
    violations: string[];
    /** Independent samples every 100 ms (bench/drop/monitor.ts). */
    sampledMaxHeld: MonitorResult["sampledMaxHeld"];
    sampledOverCap: string[];
    samples: number;
  };
  line: Omit<History["line"], "lagMs"> & {
    /** Deadline of the expired hold → its units offered to the next in line (database clock). */
    deadlineToOffer: Latency & { max: number | null };
    /** Deadline → the waiter's page knew (by any way; this process's clock, same machine). */
    deadlineToHeard: Latency;
    deadlineToHeardOnStream: Latency;
    deadlineToHeardByLongPoll: Latency;
    deadlineToHeardWithoutScript: Latency;
    /** Offer committed → the waiter's page knew. */
    offerToHeard: Latency;
    heardVia: { stream: number; longPoll: number; noScript: number; onLoad: number };
  };
  requests: {
    total: number;
    byActor: Record<"shopper" | "bot", Record<string, number>>;
    byKind: Record<string, number>;
    /** Latency of every kind of request, per actor (streams: until the answer's headers). */
    latencyByKind: Record<string, { shopper: Latency; bot: Latency }>;
    /** Shoppers' latency of each kind by when it was sent, in windows of seconds after the opening. */
    shoppersBySent: Record<string, Record<string, Latency>>;
    /** Refusals by error code (transport failures by their error), per actor. */
    refusals: Record<string, { shopper: number; bot: number }>;
    serverErrors: { count: number; byStatus: Record<string, number>; samples: Recorder["serverErrors"] };
  };
  adds: {
    all: Latency;
    shoppers: Latency;
    bots: Latency;
    /** Adds answered in the best 1-s window of the sale (any answer), and the mean over the sale. */
    peakPerSecond: number;
    perSecond: number;
    /** Per answer (200 or the refusal's code), per actor. */
    byAnswer: Record<string, { shopper: Latency; bot: Latency }>;
  };
  streams: { botAttempts: number; botAccepted: number; openAfterClose: number | null };
  shoppers: {
    outcomes: Record<string, number>;
    extensions: Record<string, number>;
    joinedLine: number;
    /** Waiting shoppers' streams the server ended (each page reconnected 2 s later). */
    streamDrops: number;
  };
  bots: { holdsGranted: number; unitsGranted: number; extensionsGranted: number; adds: number };
  monitor: Omit<MonitorResult, "sampledMaxHeld" | "sampledOverCap" | "samples">;
  /** How long the product's row stayed locked per statement (invariant 12), web and workers together. */
  rowLock: RowLockHeld;
  /** The shared pages' views and renders over the warm-up and the sale. */
  sharedPages: SharedPageFigures;
  /** Web CPU per product page view, catalog page view and door refusal, measured after the sale. */
  cost: RequestCost;
  /** The draw's figures (mode "draw"), null in a race. */
  draw: DrawFigures | null;
  /** What the web server logged besides its JSON event lines (errors, above all), counted by text. */
  webLog: Record<string, number>;
  ledger: LedgerCheck;
  /** Everything that must hold whatever the machine: empty means the drop was sound. */
  violations: string[];
};

const latency = (values: number[]): Latency => ({
  n: values.length,
  p50: percentile(values, 50),
  p99: percentile(values, 99),
});

const count = <T>(items: readonly T[], key: (item: T) => string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
};

/** The requests that change the ledger. */
const WRITES = new Set<Outcome["kind"]>(["add", "join", "checkout", "leave", "extend"]);

function outageFigures(outage: { at: number; what: string }, opened: number, outcomes: Outcome[]): OutageFigures {
  const after = outcomes.filter((o) => o.at >= outage.at);
  const unavailable = after.filter((o) => o.status === 503);
  const firstWrite = after
    .filter((o) => WRITES.has(o.kind) && (o.status === 200 || o.status === 201) && o.at - o.ms > outage.at)
    .reduce<Outcome | null>((first, o) => (first === null || o.at < first.at ? o : first), null);
  const until = firstWrite?.at ?? Infinity;
  return {
    what: outage.what,
    atMs: Math.round(outage.at - opened),
    unavailable: unavailable.length,
    unavailableWithoutRetryAfter: unavailable.filter((o) => !o.retryAfter).length,
    firstWriteAfterMs: firstWrite ? Math.round(firstWrite.at - outage.at) : null,
    firstWrite: firstWrite ? `${firstWrite.kind} ${firstWrite.status}` : null,
    longestRequestMs: Math.round(Math.max(0, ...after.filter((o) => o.at <= until).map((o) => o.ms))),
  };
}

/** The most events within any `windowMs` (sorted times). */
function peakWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let lo = 0, hi = 0; hi < times.length; hi += 1) {
    while ((times[hi] as number) - (times[lo] as number) >= windowMs) lo += 1;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

export async function playDrop(options: DropOptions): Promise<DropResult> {
  // Not `new URL`: a highly available pair's URL names two hosts (lib/base/database-url.ts).
  const dbUrl = withDatabase(options.pgAdminUrl, options.database);
  const redisUrl = `${options.redisBase}/${options.redisDb}`;

  // A fresh database and Redis db: nothing of an earlier run is held, waited for or counted.
  const admin = postgres(options.pgAdminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${options.database}" with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  await migrateDatabase(dbUrl.toString(), path.resolve(import.meta.dirname, "../../drizzle"));
  const sql = postgres(dbUrl.toString(), { max: 3, onnotice: () => {}, connection: { application_name: "drop" } });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  try {
    return await play(options, sql, redis, dbUrl.toString(), redisUrl);
  } finally {
    redis.disconnect();
    await sql.end({ timeout: 5 });
  }
}

async function play(
  options: DropOptions,
  sql: postgres.Sql,
  redis: Redis,
  databaseUrl: string,
  redisUrl: string,
): Promise<DropResult> {
  const progress = options.progress ?? (() => {});
  await redis.flushdb();
  await installAudit(sql, { durable: options.outage !== undefined });
  const slug = `drop-${Date.now().toString(36)}`;
  const [product] = await sql<{ id: number }[]>`
    insert into products (slug, name, description, price_cents, image_url, per_shopper_limit)
    values (${slug}, 'Limited drop', 'A rehearsal of a drop', 12000, '/products/canvas-tote-bag.svg',
            ${options.perShopperLimit || null})
    returning id`;
  if (!product) throw new Error("product insert failed");
  await sql`insert into inventory (product_id, on_hand, available) values (${product.id}, ${options.units}, ${options.units})`;
  // What the store warms up on (bench/drop/warm-up.ts): plenty of stock, never part of the sale.
  const [warm] = await sql<{ id: number; slug: string }[]>`
    insert into products (slug, name, description, price_cents, image_url)
    values (${`${slug}-warm-up`}, 'Warm-up', 'Served before the drop opens', 1000, '/products/canvas-tote-bag.svg')
    returning id, slug`;
  if (!warm) throw new Error("product insert failed");
  await sql`insert into inventory (product_id, on_hand, available) values (${warm.id}, 1000, 1000)`;

  const env = {
    NODE_ENV: "production",
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    // Whatever the calling shell or test suite set, the store under test is configured here alone.
    REDIS_CLUSTER_NODES: "",
    METRICS_PORT: "",
    CART_TTL_SECONDS: String(options.holdSeconds),
    OFFER_TTL_SECONDS: String(options.offerSeconds),
    HOLD_WARNING_SECONDS: "20",
    SWEEP_INTERVAL_MS: String(options.sweepIntervalMs),
    RECONCILE_INTERVAL_MS: "60000",
    SESSION_SECRET: "drop-rehearsal-session-secret-0123456789",
    ADMIN_TOKEN: "drop-rehearsal-admin-token-0123456789abcdef",
    ...LIMITS,
  };
  const web = new WebProcess({ ...env, DATABASE_POOL_MAX: String(options.webPoolMax) });
  // Each worker serves its metrics on a port of its own: the row-lock histograms are read from them.
  const workerMetricsPorts = await Promise.all(Array.from({ length: options.workers }, () => freePort()));
  const workers = workerMetricsPorts.map(
    (port) =>
      new WorkerProcess(
        { ...env, DATABASE_POOL_MAX: String(options.workerPoolMax), METRICS_PORT: String(port) },
        { production: true },
      ),
  );
  const recorder = new Recorder();
  const close = new AbortController();
  // Every shopper's and bot's waits listen for the close: thousands of listeners, on purpose.
  setMaxListeners(0, close.signal);
  try {
    await Promise.all([web.start(), ...workers.map((w) => w.started())]);
    progress(`web on ${web.url}, ${workers.length} workers; ${options.units} units, holds of ${options.holdSeconds} s`);
    await warmUp(web.url, warm);
    // What one client may hold of the product: its limit per shopper, or MAX_QTY_PER_LINE.
    const maxQtyPerLine = Math.min(Number(LIMITS.MAX_QTY_PER_LINE), options.perShopperLimit || Infinity);
    const sale: Sale = {
      base: web.url,
      productId: product.id,
      slug,
      holdMs: options.holdSeconds * 1_000,
      // In a draw, shoppers arrive before and after the release, most of them before it.
      arrivalMs: (options.arrivalSeconds + (options.mode === "draw" ? options.releaseSeconds : 0)) * 1_000,
      releaseAtMs: null,
      maxQtyPerLine,
      closed: close.signal,
      recorder,
    };
    const monitor = new Monitor(sql, {
      productId: product.id,
      database: options.database,
      webPids: web.pids(),
      webUrl: web.url,
      workerPids: childPids("worker.mjs"),
      redisPid: redisServerPid(Number(new URL(options.redisBase).port || 6379)),
      cap: maxQtyPerLine,
      sideOf,
    });
    await monitor.start();

    // A drop decided by a draw: released `releaseSeconds` from now, on the database's clock.
    if (options.mode === "draw") {
      const [release] = await sql<{ ms: number }[]>`
        update products set release_at = now() + make_interval(secs => ${options.releaseSeconds})
         where id = ${product.id}
        returning (extract(epoch from release_at) * 1000)::float8 as ms`;
      sale.releaseAtMs = release?.ms ?? null;
    }
    const startedAt = new Date();
    const opened = performance.now();
    progress(`open: ${options.shoppers} shoppers, ${options.bots} bots, ${options.seconds} s`);
    const shopperRuns = Array.from({ length: options.shoppers }, (_, i) =>
      playShopper(sale, i, options.seed * 7_919 + i),
    );
    const botRuns = Array.from({ length: options.bots }, (_, i) =>
      playBot(sale, i, options.seed * 104_729 + i, { loops: options.botLoops, streamBurst: options.botStreamBurst }),
    );
    let outageAt: { at: number; what: string } | null = null;
    const outageTimer =
      options.outage &&
      setTimeout(() => {
        const what = options.outage!.cause();
        outageAt = { at: performance.now(), what };
        progress(`${options.outage!.atSeconds} s: ${what}`);
      }, options.outage.atSeconds * 1_000);
    let monitored: Promise<MonitorResult> | null = null;
    const closer = setTimeout(() => {
      monitored = monitor.stop();
      close.abort();
    }, options.seconds * 1_000);
    const ticker = setInterval(() => {
      const s = Math.round((performance.now() - opened) / 1_000);
      progress(`${s} s: ${recorder.outcomes.length} answers`);
    }, 10_000);
    let shoppers: ShopperLog[];
    let bots: BotLog[];
    try {
      [shoppers, bots] = await Promise.all([Promise.all(shopperRuns), Promise.all(botRuns)]);
    } finally {
      clearTimeout(closer);
      if (outageTimer) clearTimeout(outageTimer);
      clearInterval(ticker);
      close.abort();
    }
    const saleMs = options.seconds * 1_000;
    const closedAt = opened + saleMs;
    const monitorResult = await (monitored ?? monitor.stop());
    progress(`closed; everyone left the line ${Math.round(performance.now() - closedAt)} ms after the close`);

    // Abandoned streams end with their requests (invariant 10): the web's count falls back to 0.
    let openAfterClose: number | null = null;
    for (let tries = 0; tries < 80; tries += 1) {
      const health = await fetch(`${web.url}/api/health`).then((r) => r.json() as Promise<{ streams?: number }>);
      openAfterClose = health.streams ?? null;
      if (!openAfterClose) break;
      await sleep(250);
    }

    progress("waiting for every hold to end, then checking the ledger");
    const ledger = await checkLedger(sql, redis, {
      productId: product.id,
      units: options.units,
      sweepIntervalMs: options.sweepIntervalMs,
      // The longest a hold can last now: a shopper's extension, or an offer, plus a sweep and slack.
      maxWaitMs: (2 * Math.max(options.holdSeconds, options.offerSeconds) + 30) * 1_000,
    });
    const audit = await readAudit(sql);
    const history = replay(audit, sideOf, {
      maxQtyPerLine,
      maxUnitsPerCart: Number(LIMITS.MAX_UNITS_PER_CART),
    });
    const draw =
      options.mode === "draw" ? await drawFigures(sql, product.id, audit, history, shoppers, bots, sideOf) : null;

    // Answers of the sale itself (not the leaving at closing time) for throughput.
    const outcomes = recorder.outcomes;
    const outcomesFile = process.env.DROP_OUTCOMES_FILE;
    if (outcomesFile) writeFileSync(outcomesFile, JSON.stringify({ opened, outcomes }));
    const adds = outcomes.filter((o) => o.kind === "add");
    const addTimes = adds
      .map((o) => o.at)
      .filter((at) => at <= closedAt)
      .sort((a, b) => a - b);
    const refusals: Record<string, { shopper: number; bot: number }> = {};
    for (const o of outcomes) {
      if (o.status !== 0 && o.status < 400) continue;
      const code = o.code ?? `http_${o.status}`;
      refusals[code] ??= { shopper: 0, bot: 0 };
      refusals[code][o.actor] += 1;
    }
    // During an outage a 503 with Retry-After is the promised answer; any other 5xx never is.
    const errors = outcomes.filter((o) => o.status >= 500 && !(options.outage && o.status === 503 && o.retryAfter));
    const outage = outageAt ? outageFigures(outageAt, opened, outcomes) : null;
    // Every order a shopper was told was placed is in the ledger, and nothing else was sold to them.
    const boughtAcknowledged = shoppers.reduce((n, s) => n + s.unitsBought, 0);

    const heard = shoppers.filter((s) => s.offerHeardAt !== null && s.waiterId !== null);
    const toHeard: number[] = [];
    // By the way the page heard it: its stream, its long poll, the wait of a page without JavaScript.
    const toHeardOnStream: number[] = [];
    const toHeardByLongPoll: number[] = [];
    const toHeardWithoutScript: number[] = [];
    const offerToHeard: number[] = [];
    for (const s of heard) {
      const offer = history.offers.get(s.waiterId as string);
      if (!offer) continue;
      offerToHeard.push((s.offerHeardAt as number) - offer.atMs);
      if (offer.deadlineMs === null) continue;
      toHeard.push((s.offerHeardAt as number) - offer.deadlineMs);
      if (s.heardVia === "stream") toHeardOnStream.push((s.offerHeardAt as number) - offer.deadlineMs);
      if (s.heardVia === "long poll") toHeardByLongPoll.push((s.offerHeardAt as number) - offer.deadlineMs);
      if (s.heardVia === "no script") toHeardWithoutScript.push((s.offerHeardAt as number) - offer.deadlineMs);
    }
    const { lagMs, ...line } = history.line;

    const violations = [
      ...ledger.atClose.problems.map((p) => `at the close: ${p}`),
      ...ledger.final.problems.map((p) => `after every hold ended: ${p}`),
      ...history.capViolations,
      ...monitorResult.sampledOverCap.map((p) => `sampled over the cap: ${p}`),
      ...history.line.orderViolations,
      ...history.line.freedWhileWaiting,
      ...ledger.foreignClientKeys.map((k) => `a cart or place in line counted under ${k}, an address no client had`),
      ...(errors.length > 0 ? [`${errors.length} answers with a 5xx status`] : []),
      ...(boughtAcknowledged !== ledger.sold.shoppers
        ? [`shoppers were told they bought ${boughtAcknowledged} units; the ledger sold them ${ledger.sold.shoppers}`]
        : []),
      ...(draw && draw.unitsHeldBeforeRelease > 0
        ? [`${draw.unitsHeldBeforeRelease} units were held before the release (invariant 11)`]
        : []),
      ...(draw && draw.clientsWithSeveralEntries > 0
        ? [`${draw.clientsWithSeveralEntries} clients had more than one entry in the draw (invariant 11)`]
        : []),
    ];
    // Every hold has ended by now: the histograms hold the whole sale's statements.
    const scrapes = await Promise.all([
      scrapeText(`${web.url}/api/metrics`, { authorization: `Bearer ${env.ADMIN_TOKEN}` }),
      ...workerMetricsPorts.map((port) => scrapeText(`http://127.0.0.1:${port}/metrics`)),
    ]);
    const rowLock = rowLockHeld(scrapes);
    const sharedPages = sharedPageFigures(scrapes[0] ?? "");
    progress("measuring what a page view and a refusal cost the web");
    const cost = await requestCost(web.url, web.pids(), {
      slug,
      productId: product.id,
      shopperAddress: (i) => shopperAddress(options.shoppers + 1 + i),
      botAddress: (i) => botAddress(options.bots + 1 + i),
    });
    const { progress: _p, pgAdminUrl: _a, redisBase: _r, outage: _o, ...shown } = options;
    const webLog = summarizeLog(web.output.join(""));
    const { sampledMaxHeld, sampledOverCap, samples, ...monitorShown } = monitorResult;
    return {
      options: shown,
      outage,
      limits: LIMITS,
      startedAt: startedAt.toISOString(),
      saleMs,
      sold: { ...ledger.sold, units: options.units },
      held: {
        cartsStarted: history.cartsStarted,
        unitsHeld: history.unitsHeld,
        unitSeconds: roundSides(history.unitSeconds),
        peakHeld: history.peakHeld,
        maxHeldByOneClient: history.maxHeldByOneClient,
      },
      caps: { maxQtyPerLine, violations: history.capViolations, sampledMaxHeld, sampledOverCap, samples },
      line: {
        ...line,
        deadlineToOffer: { ...latency(lagMs), max: lagMs.length ? Math.round(Math.max(...lagMs)) : null },
        deadlineToHeard: latency(toHeard),
        deadlineToHeardOnStream: latency(toHeardOnStream),
        deadlineToHeardByLongPoll: latency(toHeardByLongPoll),
        deadlineToHeardWithoutScript: latency(toHeardWithoutScript),
        offerToHeard: latency(offerToHeard),
        heardVia: {
          stream: heard.filter((s) => s.heardVia === "stream").length,
          longPoll: heard.filter((s) => s.heardVia === "long poll").length,
          noScript: heard.filter((s) => s.heardVia === "no script").length,
          onLoad: heard.filter((s) => s.heardVia === "on load").length,
        },
      },
      requests: {
        total: outcomes.length,
        byActor: {
          shopper: count(
            outcomes.filter((o) => o.actor === "shopper"),
            (o) => String(o.status),
          ),
          bot: count(
            outcomes.filter((o) => o.actor === "bot"),
            (o) => String(o.status),
          ),
        },
        byKind: count(outcomes, (o: Outcome) => o.kind),
        latencyByKind: Object.fromEntries(
          [...new Set(outcomes.map((o) => o.kind))].map((kind) => {
            const these = outcomes.filter((o) => o.kind === kind);
            const of = (actor: string) => latency(these.filter((o) => o.actor === actor).map((o) => o.ms));
            return [kind, { shopper: of("shopper"), bot: of("bot") }];
          }),
        ),
        shoppersBySent: Object.fromEntries(
          ["page", "add", "join"].map((kind) => {
            const these = outcomes.filter((o) => o.kind === kind && o.actor === "shopper");
            const sentS = (o: Outcome) => (o.at - o.ms - opened) / 1_000;
            return [
              kind,
              Object.fromEntries(
                SENT_WINDOWS.map(({ label, from, to }) => [
                  label,
                  latency(these.filter((o) => sentS(o) >= from && sentS(o) < to).map((o) => o.ms)),
                ]),
              ),
            ];
          }),
        ),
        refusals,
        serverErrors: {
          count: errors.length,
          byStatus: count(errors, (o) => String(o.status)),
          samples: recorder.serverErrors,
        },
      },
      adds: {
        all: latency(adds.map((o) => o.ms)),
        shoppers: latency(adds.filter((o) => o.actor === "shopper").map((o) => o.ms)),
        bots: latency(adds.filter((o) => o.actor === "bot").map((o) => o.ms)),
        peakPerSecond: peakWindow(addTimes, 1_000),
        perSecond: Math.round(addTimes.length / (saleMs / 1_000)),
        byAnswer: Object.fromEntries(
          [...new Set(adds.map(answerOf))].map((answer) => {
            const these = adds.filter((o) => answerOf(o) === answer);
            const of = (actor: string) => latency(these.filter((o) => o.actor === actor).map((o) => o.ms));
            return [answer, { shopper: of("shopper"), bot: of("bot") }];
          }),
        ),
      },
      streams: {
        botAttempts: bots.reduce((n, b) => n + b.streamsTried, 0),
        botAccepted: bots.reduce((n, b) => n + b.streamsAccepted, 0),
        openAfterClose,
      },
      shoppers: {
        outcomes: count(shoppers, (s) => s.outcome),
        extensions: count(
          shoppers.filter((s) => s.extension !== null),
          (s) => s.extension as string,
        ),
        joinedLine: shoppers.filter((s) => s.joinedLine).length,
        streamDrops: shoppers.reduce((n, s) => n + s.streamDrops, 0),
      },
      bots: {
        holdsGranted: bots.reduce((n, b) => n + b.holdsGranted, 0),
        unitsGranted: bots.reduce((n, b) => n + b.unitsGranted, 0),
        extensionsGranted: bots.reduce((n, b) => n + b.extensionsGranted, 0),
        adds: bots.reduce((n, b) => n + b.adds, 0),
      },
      monitor: monitorShown,
      rowLock,
      sharedPages,
      cost,
      draw,
      webLog,
      ledger,
      violations: [
        ...violations,
        ...Object.entries(webLog)
          .filter(([line]) => /unhandledRejection|uncaughtException/.test(line))
          .map(([line, times]) => `the web server logged ${times} × ${line}`),
      ],
    };
  } finally {
    close.abort();
    await Promise.all([...workers.map((w) => w.stop()), web.stop()]);
  }
}

/**
 * What the web logged besides its ordinary events, counted: plain-text lines, and JSON lines of
 * level warn or error (`{t, level, event, ...}`); digits folded, so alike lines count together.
 */
function summarizeLog(text: string): Record<string, number> {
  const keys: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("[web] listening") || line.includes("next.config")) continue;
    if (line.startsWith("{")) {
      try {
        const entry = JSON.parse(line) as { level?: string; event?: string; error?: string; message?: string };
        if (entry.level === "warn" || entry.level === "error") {
          keys.push(`${entry.level} ${entry.event ?? ""}: ${entry.error ?? entry.message ?? ""}`);
        }
      } catch {
        keys.push(line);
      }
      continue;
    }
    keys.push(line);
  }
  return count(keys, (k) => k.replace(/\d+/g, "N").slice(0, 160));
}

const answerOf = (o: Outcome) => (o.status === 200 ? "200" : (o.code ?? String(o.status)));

const roundSides = (v: Record<Side, number>): Record<Side, number> => ({
  shopper: Math.round(v.shopper),
  bot: Math.round(v.bot),
  other: Math.round(v.other),
});
