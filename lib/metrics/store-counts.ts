import "server-only";
import { overdue } from "../hold/overdue";
import { pg } from "../db/client";
import { msSinceAnyHeartbeat } from "../hold/worker-heartbeats";
import { RELEASE_PATH_NAMES, type ReleasePath } from "../hold/release";

export type StoreCounts = {
  holdsCreated: number;
  holdsExtended: number;
  holdsConverted: number;
  releasedByPath: Record<ReleasePath, number>;
  activeCarts: number;
  overdueCarts: number;
  /** Seconds since any expiry worker last wrote its heartbeat; null when none ever did. */
  workerHeartbeatAgeS: number | null;
};

/**
 * The counts Postgres knows, read in one statement (and the heartbeat's), so every web instance reports the same
 * figures and none is counted twice (aggregate them with `max`, not `sum`). A hold is a cart
 * that held stock; it ends converted (checked out) or released, by the path in carts.release_path.
 * Each scrape reads the carts table once: a few hundred ms at millions of carts, well within a
 * 15 s scrape interval.
 */
export async function readStoreCounts(): Promise<StoreCounts> {
  const sql = pg();
  const [[row], heartbeatMs] = await Promise.all([
    sql<
      {
        created: string;
        extended: string;
        converted: string;
        active: number;
        overdue: number;
        by_path: Record<string, number> | null;
      }[]
    >`
    select count(*) as created,
           coalesce(sum(extensions_used), 0) as extended,
           count(*) filter (where state = 'checked_out') as converted,
           count(*) filter (where state = 'active' and not (${overdue(sql)}))::int as active,
           count(*) filter (where ${overdue(sql)})::int as overdue,
           (select json_object_agg(path, n) from (
              select release_path as path, count(*)::int as n from carts
               where state = 'expired' and release_path is not null group by release_path) p) as by_path
      from carts`,
    msSinceAnyHeartbeat(),
  ]);
  const byPath = row?.by_path ?? {};
  return {
    holdsCreated: Number(row?.created ?? 0),
    holdsExtended: Number(row?.extended ?? 0),
    holdsConverted: Number(row?.converted ?? 0),
    releasedByPath: Object.fromEntries(RELEASE_PATH_NAMES.map((p) => [p, byPath[p] ?? 0])) as Record<
      ReleasePath,
      number
    >,
    activeCarts: row?.active ?? 0,
    overdueCarts: row?.overdue ?? 0,
    workerHeartbeatAgeS: heartbeatMs === null ? null : heartbeatMs / 1000,
  };
}
