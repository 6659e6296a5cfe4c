import "server-only";
import { availableParallelism } from "node:os";
import { z } from "zod";
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from "./defaults";

const DEV_SESSION_SECRET = "dev-only-session-secret-change-me-0123456789";
const DEV_ADMIN_TOKEN = "dev-admin-token";

// Every number has an upper bound the code can honour (a TTL in ms must fit Postgres' int, say),
// so a value it cannot honour is refused at start rather than failing every request later.
const intFrom = (min: number, fallback: number, max: number) =>
  z.coerce
    .number()
    .int(`must be a whole number`)
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(fallback);

const DAY_SECONDS = 86_400;

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
      .default(DEFAULT_DATABASE_URL),
    DATABASE_POOL_MAX: intFrom(1, 10, 1_000),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, "must be a redis:// URL")
      .default(DEFAULT_REDIS_URL),
    REDIS_CLUSTER_NODES: z
      .string()
      .regex(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, "must be a comma-separated list of host:port")
      .optional(),
    CART_TTL_SECONDS: intFrom(1, 900, 7 * DAY_SECONDS),
    SWEEP_INTERVAL_MS: intFrom(50, 1000, 3_600_000),
    MAX_QTY_PER_LINE: intFrom(1, 10, 10_000),
    MAX_LINES: intFrom(1, 20, 1_000),
    MAX_UNITS_PER_CART: intFrom(1, 50, 100_000),
    NEW_CARTS_PER_IP_PER_MINUTE: intFrom(0, 30, 1_000_000),
    TRUSTED_PROXY_HOPS: intFrom(0, 0, 10),
    HOLD_LIMITS: z.enum(["on", "off"], "must be on or off").default("on"),
    MAX_STREAMS_PER_CLIENT: intFrom(1, 16, 10_000),
    MAX_STREAMS: intFrom(1, 10_000, 1_000_000),
    MAX_HOLD_EXTENSIONS: intFrom(0, 10, 1_000),
    HOLD_WARNING_SECONDS: intFrom(20, 60, DAY_SECONDS),
    OFFER_TTL_SECONDS: intFrom(1, 300, DAY_SECONDS),
    SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    ADMIN_TOKEN: z.string().min(12, "must be at least 12 characters").optional(),
    PORT: intFrom(1, 3000, 65_535),
    METRICS_PORT: z.coerce
      .number()
      .int("must be a whole number")
      .min(1, "must be at least 1")
      .max(65_535, "must be at most 65535")
      .optional(),
    RECONCILE_INTERVAL_MS: intFrom(1_000, 60_000, DAY_SECONDS * 1000),
    // Unset: one web process per core (read when parsed, so a test can fake neither).
    WEB_CONCURRENCY: intFrom(1, availableParallelism(), 256),
    // A shopper's page view is one document plus a few API calls and RSC prefetches of the links
    // in view (static assets are not counted): 40 at once covers a catalog page's prefetches, and
    // 20 a second is more than a person clicking, refreshing and polling ever sends, while a bot
    // retrying an add in a loop (hundreds a second) is refused at the door.
    RATE_LIMIT_PER_SECOND: intFrom(0, 5, 1_000_000),
    RATE_LIMIT_BURST: intFrom(0, 20, 1_000_000),
    // A browser opens at most 6 connections to a host, plus its open stock streams (at most
    // MAX_STREAMS_PER_CLIENT each web process): 64 per process leaves room for a few shoppers
    // behind one NAT, and keeps one address from holding thousands of idle sockets.
    MAX_CONNECTIONS_PER_CLIENT: intFrom(0, 64, 1_000_000),
    // Time a client has to send a request's headers, and the whole request (a form post's body
    // included): a socket trickling bytes is closed, and an honest client on a slow phone
    // sends a form in well under either. A stream's long-lived response is not bounded by them.
    HEADERS_TIMEOUT_MS: intFrom(1_000, 10_000, 600_000),
    REQUEST_TIMEOUT_MS: intFrom(1_000, 30_000, 3_600_000),
    PAGE_CACHE_MS: intFrom(0, 1_000, 60_000),
  })
  .superRefine((env, ctx) => {
    for (const node of env.REDIS_CLUSTER_NODES?.split(",") ?? []) {
      const port = Number(node.split(":")[1]);
      if (port < 1 || port > 65535) {
        ctx.addIssue({ code: "custom", path: ["REDIS_CLUSTER_NODES"], message: `has a port out of range in ${node}` });
      }
    }
    if (env.RATE_LIMIT_BURST > 0 && env.RATE_LIMIT_BURST < env.RATE_LIMIT_PER_SECOND) {
      ctx.addIssue({
        code: "custom",
        path: ["RATE_LIMIT_BURST"],
        message: `must be at least RATE_LIMIT_PER_SECOND (${env.RATE_LIMIT_PER_SECOND}): a client may always send one second's worth at once`,
      });
    }
    if (env.HEADERS_TIMEOUT_MS > env.REQUEST_TIMEOUT_MS) {
      ctx.addIssue({ code: "custom", path: ["HEADERS_TIMEOUT_MS"], message: "must be at most REQUEST_TIMEOUT_MS" });
    }
    if (env.NODE_ENV !== "production") return;
    for (const key of ["SESSION_SECRET", "ADMIN_TOKEN"] as const) {
      if (!env[key]) ctx.addIssue({ code: "custom", path: [key], message: "is required in production" });
    }
    // Guessed at the door's pace it must still be out of reach: 32 characters, as `openssl rand -hex 16` gives.
    if (env.ADMIN_TOKEN && env.ADMIN_TOKEN.length < 32) {
      ctx.addIssue({ code: "custom", path: ["ADMIN_TOKEN"], message: "must be at least 32 characters in production" });
    }
  });

export type Config = {
  nodeEnv: "development" | "production" | "test";
  databaseUrl: string;
  databasePoolMax: number;
  redisUrl: string;
  /** Seed nodes of a Redis Cluster; when set, REDIS_URL is not used. */
  redisClusterNodes: { host: string; port: number }[] | null;
  cartTtlSeconds: number;
  sweepIntervalMs: number;
  maxQtyPerLine: number;
  maxLines: number;
  maxUnitsPerCart: number;
  newCartsPerIpPerMinute: number;
  /** How many of our own proxies write X-Forwarded-For in front of the web (0: none, use the socket). */
  trustedProxyHops: number;
  /** Invariant 9's per-client caps; off only where many simulated shoppers share one address. */
  holdLimits: boolean;
  /** Open stock streams per client, and in all, per web process. */
  maxStreamsPerClient: number;
  maxStreams: number;
  /** Times one cart may keep its hold for another CART_TTL_SECONDS (WCAG 2.2.1 asks for 10). */
  maxHoldExtensions: number;
  /** How long before the deadline the pages warn and offer the extension. */
  holdWarningSeconds: number;
  /** How long a unit handed to the next shopper in line is held for them at least. */
  offerTtlSeconds: number;
  sessionSecret: string;
  adminToken: string;
  port: number;
  /** The worker's Prometheus endpoint (`GET /metrics`); null: none. */
  metricsPort: number | null;
  /** How often the worker checks the ledger and that Redis agrees with Postgres. */
  reconcileIntervalMs: number;
  /** Web processes `npm start` / `npm run start:web` run on one port (node's cluster). */
  webConcurrency: number;
  /** The door's per-client token bucket, shared through Redis; null: off (load tests from one address). */
  rateLimit: { perSecond: number; burst: number } | null;
  /** Open connections one client address may hold to one web process; 0: no cap. */
  maxConnectionsPerClient: number;
  /** Time to receive a request's headers, and the whole request, before its socket is closed. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /**
   * How long the web server answers a catalog or product page view without a cart from one render
   * (lib/pages/); any stock or catalog change ends it sooner. 0: every view is rendered.
   */
  pageCacheMs: number;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses an environment; throws one ConfigError listing every problem, one line each. */
export function parseConfig(source: Record<string, string | undefined>): Config {
  // An empty variable means "not set", as in most shells' `VAR= cmd`.
  const env = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".") || "environment"} ${i.message}`));
  }
  const e = parsed.data;
  return {
    nodeEnv: e.NODE_ENV,
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    redisUrl: e.REDIS_URL,
    redisClusterNodes:
      e.REDIS_CLUSTER_NODES?.split(",").map((node) => {
        const [host = "", port = ""] = node.split(":");
        return { host, port: Number(port) };
      }) ?? null,
    cartTtlSeconds: e.CART_TTL_SECONDS,
    sweepIntervalMs: e.SWEEP_INTERVAL_MS,
    maxQtyPerLine: e.MAX_QTY_PER_LINE,
    maxLines: e.MAX_LINES,
    maxUnitsPerCart: e.MAX_UNITS_PER_CART,
    newCartsPerIpPerMinute: e.NEW_CARTS_PER_IP_PER_MINUTE,
    trustedProxyHops: e.TRUSTED_PROXY_HOPS,
    holdLimits: e.HOLD_LIMITS === "on",
    maxStreamsPerClient: e.MAX_STREAMS_PER_CLIENT,
    maxStreams: e.MAX_STREAMS,
    maxHoldExtensions: e.MAX_HOLD_EXTENSIONS,
    holdWarningSeconds: e.HOLD_WARNING_SECONDS,
    offerTtlSeconds: e.OFFER_TTL_SECONDS,
    sessionSecret: e.SESSION_SECRET ?? DEV_SESSION_SECRET,
    adminToken: e.ADMIN_TOKEN ?? DEV_ADMIN_TOKEN,
    port: e.PORT,
    metricsPort: e.METRICS_PORT ?? null,
    reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
    webConcurrency: e.WEB_CONCURRENCY,
    rateLimit:
      e.RATE_LIMIT_PER_SECOND === 0 || e.RATE_LIMIT_BURST === 0
        ? null
        : { perSecond: e.RATE_LIMIT_PER_SECOND, burst: e.RATE_LIMIT_BURST },
    maxConnectionsPerClient: e.MAX_CONNECTIONS_PER_CLIENT,
    headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    pageCacheMs: e.PAGE_CACHE_MS,
  };
}

let cached: Config | undefined;

/** The process's configuration, read on first use (never at import, so `next build` needs no env). */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/**
 * Forgets the configuration read so far, so the next config() reads process.env again. For
 * tests only (tests/support/config.ts): a test file that sets its variables calls this, so it
 * does not matter whether something it imported had already read config(). Clients created from
 * the old values (the Postgres pool, the Redis connection) are not affected.
 */
export function resetConfig(): void {
  cached = undefined;
}
