import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chromium, defineConfig, devices } from "@playwright/test";

/**
 * End-to-end suite against the production build (`npm run build` first): each server is
 * `npm start`'s web + worker on its own port, database and Redis db, created and dropped here.
 * "main" holds carts for 2 minutes; "short" for a few seconds, for the expiry scenarios; "hold" for
 * 25 s with the warning at 20 s and two extensions, for the warning and the forms without
 * JavaScript. E2E_*PORT and E2E_*REDIS_DB let two runs share a machine.
 */
const suffix = (process.env.E2E_RUN_ID ??= `${process.pid}_${randomBytes(3).toString("hex")}`);
const redisBase = process.env.TEST_REDIS_BASE ?? "redis://127.0.0.1:6379";
const pgBase = process.env.TEST_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export const servers = {
  main: {
    port: Number(process.env.E2E_PORT ?? 3210),
    db: `holdcart_e2e_${suffix}`,
    redisDb: Number(process.env.E2E_REDIS_DB ?? 14),
    ttlSeconds: 120,
  },
  short: {
    port: Number(process.env.E2E_SHORT_PORT ?? 3211),
    db: `holdcart_e2e_short_${suffix}`,
    redisDb: Number(process.env.E2E_SHORT_REDIS_DB ?? 15),
    ttlSeconds: 8,
  },
  hold: {
    port: Number(process.env.E2E_HOLD_PORT ?? 3212),
    db: `holdcart_e2e_hold_${suffix}`,
    redisDb: Number(process.env.E2E_HOLD_REDIS_DB ?? 10),
    ttlSeconds: 25,
  },
} as const;
/** The "hold" server's warning and extension settings. */
export const HOLD_SERVER = { warningSeconds: 20, maxExtensions: 2 } as const;
export const ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef0123";

const databaseUrl = (name: string) => {
  const url = new URL(pgBase);
  url.pathname = `/${name}`;
  return url.toString();
};

/** Playwright's own Chromium where it was downloaded; otherwise the system's (Debian: /usr/bin/chromium). */
function chromiumExecutable(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    if (existsSync(chromium.executablePath())) return undefined;
  } catch {
    // no bundled browser registered
  }
  return ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => existsSync(p));
}

const webServer = (s: (typeof servers)[keyof typeof servers]) => ({
  command: "node dist/migrate.mjs && node dist/seed.mjs && node dist/start.mjs",
  url: `http://127.0.0.1:${s.port}/api/health`,
  reuseExistingServer: false,
  timeout: 120_000,
  stdout: "ignore" as const,
  stderr: "pipe" as const,
  gracefulShutdown: { signal: "SIGTERM" as const, timeout: 5_000 },
  env: {
    NODE_ENV: "production",
    PORT: String(s.port),
    DATABASE_URL: databaseUrl(s.db),
    REDIS_URL: `${redisBase}/${s.redisDb}`,
    CART_TTL_SECONDS: String(s.ttlSeconds),
    HOLD_WARNING_SECONDS: String(s === servers.hold ? HOLD_SERVER.warningSeconds : 60),
    MAX_HOLD_EXTENSIONS: String(s === servers.hold ? HOLD_SERVER.maxExtensions : 10),
    // Three servers with web processes (two on "main") and a worker, a pool each, share Postgres'
    // 100 connections with the suite.
    DATABASE_POOL_MAX: "8",
    SWEEP_INTERVAL_MS: "500",
    NEW_CARTS_PER_IP_PER_MINUTE: "0",
    // Every browser context comes from 127.0.0.1: per-client caps and the door's rate limit are
    // proved in tests/reliability.
    HOLD_LIMITS: "off",
    RATE_LIMIT_PER_SECOND: "0",
    // "main" runs two web processes, as production does on a 2-core machine: every page and cart
    // is served by either. The timing servers run one, to spare the machine the specs run on.
    WEB_CONCURRENCY: s === servers.main ? "2" : "1",
    SESSION_SECRET: "e2e-session-secret-e2e-session-secret-0123",
    ADMIN_TOKEN,
  },
});

export default defineConfig({
  testDir: "tests/e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  globalSetup: "./tests/e2e/global-setup.ts",
  globalTeardown: "./tests/e2e/global-teardown.ts",
  use: {
    baseURL: `http://localhost:${servers.main.port}`,
    trace: "retain-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: chromiumExecutable(),
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
          ],
        },
      },
    },
  ],
  webServer: [webServer(servers.main), webServer(servers.short), webServer(servers.hold)],
});
