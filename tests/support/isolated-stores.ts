import { afterAll, beforeAll } from "vitest";
import { closeDb } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { closeRedis } from "@/lib/redis/client";
import { setTestConfig } from "./config";
import { databaseUrl, dropDatabase, flushRedisDb, TEST_REDIS_BASE, uniqueDatabaseName } from "./services";

/**
 * Gives the calling test file a fresh database of its own and the suite's Redis db (files run
 * one after another), with the configuration the suites share; removes both afterwards.
 */
export function withIsolatedStores(prefix: string, redisDb: number, env: Record<string, string> = {}): void {
  // Names carry the process id and random bytes: concurrent runs (another checkout's) never meet.
  const dbName = uniqueDatabaseName(prefix);
  setTestConfig({
    DATABASE_URL: databaseUrl(dbName),
    REDIS_URL: `${TEST_REDIS_BASE}/${redisDb}`,
    DATABASE_POOL_MAX: "10",
    CART_TTL_SECONDS: "900",
    SWEEP_INTERVAL_MS: "500",
    MAX_QTY_PER_LINE: "10",
    MAX_LINES: "5",
    MAX_UNITS_PER_CART: "20",
    NEW_CARTS_PER_IP_PER_MINUTE: "0",
    // The suites play many shoppers from one address; the files that test the caps turn them on.
    HOLD_LIMITS: "off",
    // Likewise the door's rate limit and connection cap: tests/reliability/door.test.ts turns
    // them on.
    RATE_LIMIT_PER_SECOND: "0",
    MAX_CONNECTIONS_PER_CLIENT: "0",
    SESSION_SECRET: "test-session-secret-test-session-secret-0123",
    ADMIN_TOKEN: "test-admin-token-0123456789abcdef0123",
    ...env,
  });

  beforeAll(async () => {
    await flushRedisDb(redisDb);
    await migrateDatabase(process.env.DATABASE_URL as string);
  });

  afterAll(async () => {
    await closeRedis();
    await closeDb();
    await dropDatabase(dbName);
    await flushRedisDb(redisDb);
  });
}
