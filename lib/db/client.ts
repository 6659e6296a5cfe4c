import "server-only";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres, { type Sql } from "postgres";
import { config } from "../base/config";
import * as schema from "./schema";

export type Db = PostgresJsDatabase<typeof schema>;
type Clients = { sql: Sql; db: Db; batches: Sql };

// One pool per process; outside production it survives hot reloads, so `next dev` does not
// open a new pool on every edit.
const globalForDb = globalThis as unknown as { __holdcartDb?: Clients };

/**
 * Of a process's DATABASE_POOL_MAX connections, those kept for the hot row's batches
 * (lib/hold/change-lines.ts): at most one batch per product is in flight, so a few suffice, and
 * kept apart they never queue behind the process's reads. In a drop those reads (streams
 * opening, places in line) queue by the thousand, and a connection finishes one query per turn
 * of a busy event loop; a batch in the same queue waited seconds for each of its turns.
 */
export const batchConnections = (poolMax: number): number => (poolMax >= 8 ? 2 : 1);

function open(max: number): Sql {
  return postgres(config().databaseUrl, {
    max,
    idle_timeout: 30,
    connect_timeout: 5,
    // Reconnect within a second after connections die (a restart, a failover, killed backends).
    // The default backoff grows to 20 s across the whole pool, so a burst of failures left every
    // request waiting far longer than any shopper would.
    backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 1),
    onnotice: () => {},
    connection: { application_name: "holdcart" },
  });
}

function connect(): Clients {
  const { databasePoolMax } = config();
  const kept = batchConnections(databasePoolMax);
  const sql = open(Math.max(1, databasePoolMax - kept));
  const batches = open(kept);
  // Drizzle sets how the client it wraps passes values (json as text, timestamps as text); the
  // batches' client is wrapped too, so a statement is read and answered alike on either pool.
  drizzle({ client: batches });
  return { sql, db: drizzle({ client: sql, schema }), batches };
}

function clients(): Clients {
  // Created on first use, never at import: `next build` imports this module without a database.
  globalForDb.__holdcartDb ??= connect();
  return globalForDb.__holdcartDb;
}

export const db = (): Db => clients().db;
export const pg = (): Sql => clients().sql;
/** The connections kept for the hot row's batches (change_lines): use for nothing else. */
export const batchPg = (): Sql => clients().batches;

export async function closeDb(): Promise<void> {
  const current = globalForDb.__holdcartDb;
  globalForDb.__holdcartDb = undefined;
  await Promise.all([current?.sql.end({ timeout: 5 }), current?.batches.end({ timeout: 5 })]);
}
