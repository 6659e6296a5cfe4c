import "server-only";
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
    PAGE_CACHE_MS: intFrom(0, 1_000, 60_000),
  })
  .superRefine((env, ctx) => {
    for (const node of env.REDIS_CLUSTER_NODES?.split(",") ?? []) {
      const port = Number(node.split(":")[1]);
      if (port < 1 || port > 65535) {
        ctx.addIssue({ code: "custom", path: ["REDIS_CLUSTER_NODES"], message: `has a port out of range in ${node}` });
      }
    }
    if (env.NODE_ENV !== "production") return;
    for (const key of ["SESSION_SECRET", "ADMIN_TOKEN"] as const) {
      if (!env[key]) ctx.addIssue({ code: "custom", path: [key], message: "is required in production" });
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
