/**
 * What the machine and the store look like while the sale runs:
 * - every SAMPLE_MS, one statement (one snapshot) reads the product's counters, its line, and the
 *   units each client holds in live carts: an independent check of the per-client caps beside the
 *   audit's replay, and the timeline of the sale;
 * - every 500 ms the web server's RSS, all its processes (/proc/PID/status);
 * - CPU time over the sale of the load generator (this process), the web, the workers, the
 *   Postgres backends of the rehearsal's database, the Redis server (shared with anything else on
 *   it) and the whole machine (/proc/stat), and this process's event-loop delay: what limited the
 *   figures.
 */
import { readdirSync, readFileSync } from "node:fs";
import { get } from "node:http";
import { cpus, loadavg } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Sql } from "postgres";
import { childrenRunning, cpuMsOf, rssMbOf } from "../../scripts/harness/process-stats";
import { percentile } from "../stats";
import type { Side } from "./addresses";

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const round1 = (v: number) => Math.round(v * 10) / 10;

const SAMPLE_MS = 100;
const RSS_EVERY_MS = 500;

export type Point = {
  second: number;
  available: number;
  reserved: number;
  sold: number;
  waiting: number;
  heldByBots: number;
  heldByShoppers: number;
};

export type MonitorResult = {
  samples: number;
  /** The most units one client of each side held in live carts, at any sample. */
  sampledMaxHeld: Record<Side, number>;
  /** Samples in which some client held more than the cap. */
  sampledOverCap: string[];
  /** The longest any active cart was seen past its deadline, not yet released (invariant 4: ≤ sweep + 1 s). */
  maxOverdueMs: number;
  timeline: Point[];
  rssMb: { start: number; peak: number; end: number };
  /** CPU used over the sale, as a share of one core (100 = one core busy all along). */
  cpuPercent: {
    loadGenerator: number;
    web: number;
    /** Each web process, the cluster's primary first. */
    webByProcess: number[];
    workers: number;
    postgres: number;
    redis: number | null;
    machine: number;
    cores: number;
  };
  loadGeneratorLoopDelayMs: { p50: number; p99: number; max: number };
  /**
   * GET /api/health/live every 500 ms (no database, no Redis): how long the web took to answer
   * anything at all, i.e. its event loop's backlog plus the machine's scheduling.
   */
  webLivenessMs: Latency;
  /**
   * The same on a new connection each time, as a shopper's first request comes: adds the wait
   * for the connection to be accepted and handed to a web process.
   */
  webNewConnectionMs: Latency;
  /** The machine's 1-minute load average at the start and at the end of the sale. */
  loadAverage: { start: number; end: number };
};

type Holders = [string, number][];
type Latency = { n: number; p50: number | null; p99: number | null; max: number | null };

const latency = (ms: number[]): Latency => ({
  n: ms.length,
  p50: percentile(ms, 50),
  p99: percentile(ms, 99),
  max: ms.length ? Math.round(Math.max(...ms)) : null,
});

export class Monitor {
  private readonly timers: NodeJS.Timeout[] = [];
  private samples = 0;
  private readonly sampledMaxHeld: Record<Side, number> = { shopper: 0, bot: 0, other: 0 };
  private readonly overCap: string[] = [];
  private maxOverdueMs = 0;
  private readonly timeline: Point[] = [];
  private readonly rss: number[] = [];
  private sampling: Promise<void> | null = null;
  private readonly loop = monitorEventLoopDelay({ resolution: 10 });
  private startedAt = 0;
  private cpuAtStart: Snapshot | null = null;
  private postgresAtStart = new Map<number, number>();
  private readonly liveness: number[] = [];
  private readonly newConnection: number[] = [];
  private probing = false;
  private connecting = false;
  private loadAtStart = 0;

  constructor(
    private readonly sql: Sql,
    private readonly opts: {
      productId: number;
      database: string;
      /** Every process of the web server, the cluster's primary first. */
      webPids: number[];
      webUrl: string;
      workerPids: number[];
      redisPid: number | null;
      cap: number;
      sideOf: (clientKey: string) => Side;
    },
  ) {}

  async start(): Promise<void> {
    this.startedAt = performance.now();
    this.rss.push(this.webRssMb());
    this.postgresAtStart = await this.postgresCpu();
    this.cpuAtStart = this.snapshot();
    this.loadAtStart = loadavg()[0] ?? 0;
    this.loop.enable();
    this.timers.push(
      setInterval(() => {
        // One sample at a time: a slow database skips ticks rather than piling queries up.
        this.sampling ??= this.sample()
          .catch(() => {})
          .finally(() => (this.sampling = null));
      }, SAMPLE_MS),
      setInterval(() => {
        this.rss.push(this.webRssMb());
        void this.probe();
        void this.probeNewConnection();
      }, RSS_EVERY_MS),
    );
  }

  async stop(): Promise<MonitorResult> {
    for (const t of this.timers) clearInterval(t);
    await this.sampling;
    this.loop.disable();
    const end = this.snapshot();
    const start = this.cpuAtStart as Snapshot;
    const wallMs = performance.now() - this.startedAt;
    const pct = (ms: number) => Math.round((ms / wallMs) * 100);
    const postgresNow = await this.postgresCpu();
    let postgresMs = 0;
    for (const [pid, ms] of postgresNow) postgresMs += ms - (this.postgresAtStart.get(pid) ?? 0);
    this.rss.push(this.webRssMb());
    return {
      samples: this.samples,
      sampledMaxHeld: this.sampledMaxHeld,
      sampledOverCap: this.overCap,
      maxOverdueMs: this.maxOverdueMs,
      timeline: this.timeline,
      rssMb: { start: this.rss[0] ?? 0, peak: Math.max(...this.rss), end: this.rss.at(-1) ?? 0 },
      cpuPercent: {
        loadGenerator: pct(end.self - start.self),
        web: pct(sum(end.web) - sum(start.web)),
        webByProcess: end.web.map((ms, i) => pct(ms - (start.web[i] ?? 0))),
        workers: pct(end.workers - start.workers),
        postgres: pct(postgresMs),
        redis: end.redis === null || start.redis === null ? null : pct(end.redis - start.redis),
        machine: Math.round(((end.busy - start.busy) / Math.max(1, end.total - start.total)) * 100 * cpus().length),
        cores: cpus().length,
      },
      webLivenessMs: latency(this.liveness),
      webNewConnectionMs: latency(this.newConnection),
      loadAverage: { start: round1(this.loadAtStart), end: round1(loadavg()[0] ?? 0) },
      loadGeneratorLoopDelayMs: {
        p50: Math.round(this.loop.percentile(50) / 1e6),
        p99: Math.round(this.loop.percentile(99) / 1e6),
        max: Math.round(this.loop.max / 1e6),
      },
    };
  }

  private async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    const started = performance.now();
    try {
      await fetch(`${this.opts.webUrl}/api/health/live`, { signal: AbortSignal.timeout(30_000) });
      this.liveness.push(performance.now() - started);
    } catch {
      // counted as missing; the report says how many answered
    } finally {
      this.probing = false;
    }
  }

  private async probeNewConnection(): Promise<void> {
    if (this.connecting) return;
    this.connecting = true;
    const started = performance.now();
    const answered = await new Promise<boolean>((resolve) => {
      const req = get(`${this.opts.webUrl}/api/health/live`, { agent: false, timeout: 30_000 }, (res) => {
        res.resume();
        res.on("end", () => resolve(true));
        res.on("error", () => resolve(false));
      });
      req.on("timeout", () => req.destroy());
      req.on("error", () => resolve(false));
    });
    if (answered) this.newConnection.push(performance.now() - started);
    this.connecting = false;
  }

  private async sample(): Promise<void> {
    const [row] = await this.sql<
      { available: number; reserved: number; sold: number; waiting: number; overdue_ms: number; holders: Holders }[]
    >`
      select i.available, i.reserved, i.sold,
             (select count(*)::int from waitlist_entries w
               where w.product_id = i.product_id and w.offer_cart_id is null) as waiting,
             (select coalesce(floor(extract(epoch from now() - min(c.expires_at)) * 1000), 0)::int
                from carts c where c.state = 'active' and c.expires_at <= now()) as overdue_ms,
             (select coalesce(json_agg(json_build_array(x.client_key, x.held)), '[]'::json)
                from (select c.client_key, sum(r.quantity)::int as held
                        from carts c join reservations r on r.cart_id = c.id
                       where r.product_id = i.product_id and c.state = 'active' and c.expires_at > now()
                       group by c.client_key) x) as holders
        from inventory i where i.product_id = ${this.opts.productId}`;
    if (!row) return;
    this.samples += 1;
    this.maxOverdueMs = Math.max(this.maxOverdueMs, row.overdue_ms);
    const bySide: Record<Side, number> = { shopper: 0, bot: 0, other: 0 };
    for (const [client, held] of row.holders) {
      const side = this.opts.sideOf(client);
      bySide[side] += held;
      this.sampledMaxHeld[side] = Math.max(this.sampledMaxHeld[side], held);
      if (held > this.opts.cap && this.overCap.length < 20) this.overCap.push(`${client} held ${held}`);
    }
    const second = Math.floor((performance.now() - this.startedAt) / 1_000);
    const point = {
      second,
      available: row.available,
      reserved: row.reserved,
      sold: row.sold,
      waiting: row.waiting,
      heldByBots: bySide.bot,
      heldByShoppers: bySide.shopper,
    };
    // The last sample of each second stands for it.
    if (this.timeline.at(-1)?.second === second) this.timeline[this.timeline.length - 1] = point;
    else this.timeline.push(point);
  }

  private snapshot(): Snapshot {
    const [, ...fields] = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/);
    const ticks = fields.map(Number);
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    const usage = process.cpuUsage();
    return {
      self: (usage.user + usage.system) / 1_000,
      web: this.opts.webPids.map((pid) => safeCpu(pid) ?? 0),
      workers: this.opts.workerPids.reduce((sum, pid) => sum + (safeCpu(pid) ?? 0), 0),
      redis: this.opts.redisPid === null ? null : safeCpu(this.opts.redisPid),
      busy: total - idle,
      total,
    };
  }

  /** Resident memory of the web server: all its processes. */
  private webRssMb(): number {
    return this.opts.webPids.reduce((sum, pid) => sum + (safeRss(pid) ?? 0), 0);
  }

  /** CPU ms so far of each Postgres backend connected to the rehearsal's database. */
  private async postgresCpu(): Promise<Map<number, number>> {
    const rows = await this.sql<{ pid: number }[]>`
      select pid from pg_stat_activity where datname = ${this.opts.database} and pid <> pg_backend_pid()`;
    const cpu = new Map<number, number>();
    for (const { pid } of rows) {
      const ms = safeCpu(pid);
      if (ms !== null) cpu.set(pid, ms);
    }
    return cpu;
  }
}

type Snapshot = { self: number; web: number[]; workers: number; redis: number | null; busy: number; total: number };

const safeRss = (pid: number): number | null => {
  try {
    return rssMbOf(pid);
  } catch {
    return null; // exited
  }
};

const safeCpu = (pid: number): number | null => {
  try {
    return cpuMsOf(pid);
  } catch {
    return null; // gone, or not ours to read
  }
};

/** Child processes of this one whose command line mentions `needle` (the workers the harness started). */
export const childPids = (needle: string): number[] => childrenRunning(process.pid, needle);

/** The redis-server listening on `port`, by its command line (`redis-server 127.0.0.1:6379`). */
export function redisServerPid(port: number): number | null {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      if (cmdline.startsWith("redis-server") && cmdline.includes(`:${port}`)) return Number(entry);
    } catch {
      // exited meanwhile
    }
  }
  return null;
}
