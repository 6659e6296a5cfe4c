import { resetConfig } from "@/lib/base/config";
import { closeDb } from "@/lib/db/client";
import { closeRedis } from "@/lib/redis/client";

/** Variables the shared clients are built from: they take effect on the next connection. */
const DATABASE_KEYS = ["DATABASE_URL", "DATABASE_POOL_MAX"];
const REDIS_KEYS = ["REDIS_URL", "REDIS_CLUSTER_NODES"];

/**
 * Sets a test file's configuration: each variable in `env` is set in process.env (`undefined`
 * removes it), and the cached config() is dropped, so the next read sees them. Order of imports
 * does not matter: it works whether or not anything the file imported has read config() already.
 *
 * The shared Postgres pool and Redis connection are built from the configuration once; when
 * `env` changes what they were built from, the ones open now are closed (in the background) and
 * the next use connects with the new settings. Call it at the top of a test file (or in a hook
 * before the first test that needs it); processes a test spawns (WebProcess, WorkerProcess)
 * inherit process.env, so they see these values too.
 */
export function setTestConfig(env: Record<string, string | undefined>): void {
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetConfig();
  const keys = Object.keys(env);
  // closeDb() and closeRedis() forget the client at once and close it after; a later db() or
  // redis() opens a new one.
  if (keys.some((k) => DATABASE_KEYS.includes(k))) void closeDb().catch(() => {});
  if (keys.some((k) => REDIS_KEYS.includes(k))) void closeRedis().catch(() => {});
}
