import "server-only";
import { pg } from "../db/client";

/**
 * Liveness of the expiry workers, written and read here only: each worker stamps its row every
 * few seconds (database clock); health, metrics and the dashboard read how long ago that was.
 */

/** A worker as the dashboard lists it: its id and how long ago it stamped its row. */
export type WorkerBeat = { id: string; lastSeenMs: number };

/** Stamps this worker as alive now, and forgets workers silent for a day. */
export async function recordHeartbeat(workerId: string): Promise<void> {
  const sql = pg();
  await sql`
    insert into worker_heartbeats (worker_id) values (${workerId})
    on conflict (worker_id) do update set seen_at = now()`;
  await sql`delete from worker_heartbeats where seen_at < now() - interval '1 day'`;
}

/** Milliseconds since any worker last stamped its row; null when none ever did. */
export async function msSinceAnyHeartbeat(): Promise<number | null> {
  const [row] = await pg()<{ ms: number | null }[]>`
    select floor(extract(epoch from now() - max(seen_at)) * 1000)::int as ms from worker_heartbeats`;
  return row?.ms ?? null;
}

/** The most recently seen workers, newest first. */
export async function recentWorkers(limit = 10): Promise<WorkerBeat[]> {
  return pg()<WorkerBeat[]>`
    select worker_id as id, floor(extract(epoch from now() - seen_at) * 1000)::int as "lastSeenMs"
      from worker_heartbeats order by seen_at desc limit ${limit}`;
}
