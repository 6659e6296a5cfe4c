import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { Cluster, Redis } from "ioredis";

/** Where the shared test servers live; override to point the suites elsewhere. */
export const TEST_PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const TEST_REDIS_BASE = process.env.TEST_REDIS_BASE ?? "redis://127.0.0.1:6379";

/** A database name of our own, so suites never touch each other's (or a developer's) data. */
export const uniqueDatabaseName = (prefix: string) => `${prefix}_${process.pid}_${randomBytes(3).toString("hex")}`;

export function databaseUrl(name: string): string {
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(name: string): Promise<void> {
  const sql = postgres(TEST_PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Seed nodes of the Redis Cluster the suites run against, when REDIS_CLUSTER_NODES names one. */
const clusterNodes = () =>
  process.env.REDIS_CLUSTER_NODES?.split(",").map((n) => ({ host: n.split(":")[0], port: Number(n.split(":")[1]) }));

/** Empties a test Redis db, or every master of the test cluster. */
export async function flushRedisDb(db: number): Promise<void> {
  const nodes = clusterNodes();
  if (nodes) {
    const cluster = new Cluster(nodes, { lazyConnect: true, clusterRetryStrategy: () => null });
    cluster.on("error", () => {});
    try {
      await cluster.connect();
      await Promise.all(cluster.nodes("master").map((m) => m.flushdb()));
    } catch {
      // A cluster a test already took down holds nothing to clean.
    } finally {
      cluster.disconnect();
    }
    return;
  }
  const redis = new Redis(`${TEST_REDIS_BASE}/${db}`, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}
