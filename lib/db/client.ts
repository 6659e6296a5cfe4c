import "server-only";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres, { type Sql } from "postgres";
import { config } from "../config";
import * as schema from "./schema";

export type Db = PostgresJsDatabase<typeof schema>;
type Clients = { sql: Sql; db: Db };

// One pool per process; outside production it survives hot reloads, so `next dev` does not
// open a new pool on every edit.
const globalForDb = globalThis as unknown as { __holdcartDb?: Clients };

function connect(): Clients {
  const { databaseUrl, databasePoolMax } = config();
  const sql = postgres(databaseUrl, {
    max: databasePoolMax,
    idle_timeout: 30,
    connect_timeout: 5,
    // Reconnect within a second after connections die (a restart, a failover, killed backends).
    // The default backoff grows to 20 s across the whole pool, so a burst of failures left every
    // request waiting far longer than any shopper would.
    backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 1),
    onnotice: () => {},
    connection: { application_name: "holdcart" },
  });
  return { sql, db: drizzle({ client: sql, schema }) };
}

function clients(): Clients {
  // Created on first use, never at import: `next build` imports this module without a database.
  globalForDb.__holdcartDb ??= connect();
  return globalForDb.__holdcartDb;
}

export const db = (): Db => clients().db;
export const pg = (): Sql => clients().sql;

export async function closeDb(): Promise<void> {
  const current = globalForDb.__holdcartDb;
  globalForDb.__holdcartDb = undefined;
  await current?.sql.end({ timeout: 5 });
}
