import { afterAll, beforeAll } from "vitest";
import { closeDb } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { closeRedis } from "@/lib/redis/client";
import { databaseUrl, dropDatabase, flushRedisDb, uniqueDatabaseName } from "../support/services";

// Each test file gets a fresh database of its own and the suite's Redis db (files run serially).
export const REDIS_DB = Number(process.env.TEST_REDIS_DB ?? 13);
const dbName = uniqueDatabaseName("holdcart_it");

Object.assign(process.env, {
  DATABASE_URL: databaseUrl(dbName),
  REDIS_URL: `${process.env.TEST_REDIS_BASE ?? "redis://127.0.0.1:6379"}/${REDIS_DB}`,
  DATABASE_POOL_MAX: "10",
  CART_TTL_SECONDS: "900",
  SWEEP_INTERVAL_MS: "500",
  MAX_QTY_PER_LINE: "10",
  MAX_LINES: "5",
  MAX_UNITS_PER_CART: "20",
  NEW_CARTS_PER_IP_PER_MINUTE: "0",
  SESSION_SECRET: "integration-secret-integration-secret-0123",
  ADMIN_TOKEN: "integration-admin-token",
});

beforeAll(async () => {
  await flushRedisDb(REDIS_DB);
  await migrateDatabase(process.env.DATABASE_URL as string);
});

afterAll(async () => {
  await closeRedis();
  await closeDb();
  await dropDatabase(dbName);
  await flushRedisDb(REDIS_DB);
});
