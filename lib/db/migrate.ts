import "server-only";
import path from "node:path";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { databaseName, withDatabase } from "../base/database-url";

// Any fixed number works; it only has to be the same for every process that migrates.
const MIGRATION_LOCK_ID = 7_310_001;

/** Creates the database named in `url` if it does not exist yet (dev and tests start from nothing). */
export async function ensureDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  if (!name) throw new Error("DATABASE_URL names no database");
  // Only the database changes, so the admin connection goes to the same (writable) node.
  const admin = withDatabase(url, "postgres");
  const sql = postgres(admin, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    const [row] = await sql`select 1 as found from pg_database where datname = ${name}`;
    if (!row)
      await sql.unsafe(`create database "${name.replaceAll('"', '""')}"`).catch((e: { code?: string }) => {
        if (e.code !== "42P04") throw e; // another process created it first
      });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * Applies drizzle-kit's migrations from `drizzle/`. Idempotent; an advisory lock makes
 * concurrent starts (several web or worker instances) wait for one another.
 */
export async function migrateDatabase(url: string, migrationsFolder = path.resolve("drizzle")): Promise<void> {
  await ensureDatabase(url);
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    // A database just created on a pair's primary reaches its standby a moment later (synchronous
    // commit waits for the WAL to be written there, not replayed), and a standby the URL names
    // first refuses the connection with 3D000 before the driver can move on to the primary.
    for (let attempt = 1; ; attempt += 1) {
      const refused = await sql`select 1`.then(
        () => null,
        (error: { code?: string }) => error,
      );
      if (!refused) break;
      if (refused.code !== "3D000" || attempt === 20) throw refused;
      await new Promise((r) => setTimeout(r, 250));
    }
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await migrate(drizzle({ client: sql }), { migrationsFolder });
  } finally {
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.catch(() => {});
    await sql.end({ timeout: 5 });
  }
}
