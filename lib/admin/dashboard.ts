import "server-only";
import { countActiveCarts } from "../hold/overdue";
import { recentWorkers } from "../hold/worker-heartbeats";
import { drawSummaries, emptySummary } from "../drops/draw-record";
import { pg } from "../db/client";
import { orderNumber } from "../checkout/orders";
import { ledgerStatus } from "../ledger/reconcile";
import {
  RELEASE_PATHS,
  type DashboardSnapshot,
  type HoldRow,
  type OrderRow,
  type MinuteSeries,
  type ProductRow,
} from "./dashboard-types";

/** Holds listed on the dashboard, soonest deadline first (the count above says how many there are). */
const SHOWN_HOLDS = 50;
/** Orders listed on the dashboard, newest first. */
const SHOWN_ORDERS = 20;
const LAG_BOUNDS_MS = [100, 250, 500, 1_000, 2_000, 5_000, 10_000];

async function productRows(): Promise<ProductRow[]> {
  type Row = Omit<ProductRow, "drop"> & { release_at: string | null; opened: boolean };
  const [rows, draws] = await Promise.all([
    pg()<Row[]>`
    select p.id, p.slug, p.name, i.on_hand as "onHand", i.available, i.reserved, i.sold,
           p.per_shopper_limit as "perShopperLimit", p.release_at, p.opened_at is not null as opened,
           (select count(*)::int from waitlist_entries w
             where w.product_id = p.id and w.offer_cart_id is null) as waiting,
           (select floor(extract(epoch from min(c.expires_at) - now()) * 1000)::int
              from reservations r join carts c on c.id = r.cart_id and c.state = 'active'
             where r.product_id = p.id) as "nextReleaseInMs"
      from products p join inventory i on i.product_id = p.id
     order by p.id`,
    drawSummaries(),
  ]);
  return rows.map(({ release_at, opened, ...row }) => ({
    ...row,
    drop:
      release_at === null
        ? null
        : { releaseAt: new Date(release_at).toISOString(), opened, draw: draws.get(row.id) ?? emptySummary() },
  }));
}

async function holdRows(): Promise<DashboardSnapshot["holds"]> {
  const sql = pg();
  const [shown, counts] = await Promise.all([
    sql<HoldRow[]>`
      select left(c.id::text, 8) as cart, coalesce(sum(r.quantity), 0)::int as units,
             floor(extract(epoch from c.expires_at - now()) * 1000)::int as "ttlMs",
             c.extensions_used as "extensionsUsed",
             coalesce(json_agg(json_build_object('name', p.name, 'quantity', r.quantity) order by p.name)
                        filter (where r.product_id is not null), '[]') as items
        from carts c left join reservations r on r.cart_id = c.id left join products p on p.id = r.product_id
       where c.state = 'active'
       group by c.id order by c.expires_at limit ${SHOWN_HOLDS}`,
    countActiveCarts(),
  ]);
  return { active: counts.live, overdue: counts.overdue, shown };
}

/** The most recent orders, newest first. */
async function recentOrders(): Promise<OrderRow[]> {
  const rows = await pg()<(Omit<OrderRow, "number" | "placedAt"> & { id: string; placed_at: string })[]>`
    select o.id, o.created_at as placed_at, o.email, o.total_cents as "totalCents",
           json_agg(json_build_object('name', p.name, 'quantity', l.quantity) order by p.name) as items
      from (select * from orders order by created_at desc limit ${SHOWN_ORDERS}) o
      join order_lines l on l.order_id = o.id join products p on p.id = l.product_id
     group by o.id, o.created_at, o.email, o.total_cents
     order by o.created_at desc`;
  return rows.map(({ id, placed_at, ...row }) => ({
    ...row,
    number: orderNumber(id),
    placedAt: new Date(placed_at).toISOString(),
  }));
}

/**
 * Holds started, released (by path) and converted per minute over the last hour, from the carts
 * rows alone (created_at, ended_at, state, release_path; both times indexed), so every web
 * instance draws the same history and a restart loses none of it.
 */
async function minuteSeries(): Promise<{ series: MinuteSeries; at: number }> {
  const sql = pg();
  const [[clock], created, ended] = await Promise.all([
    sql<{ minute: number; at: number }[]>`
      select extract(epoch from date_trunc('minute', now()))::int as minute,
             floor(extract(epoch from now()) * 1000)::float8 as at`,
    sql<{ t: number; n: number }[]>`
      select extract(epoch from date_trunc('minute', created_at))::int as t, count(*)::int as n
        from carts where created_at >= date_trunc('minute', now()) - interval '59 minutes'
       group by 1`,
    sql<{ t: number; state: string; path: string | null; n: number }[]>`
      select extract(epoch from date_trunc('minute', ended_at))::int as t, state::text, release_path as path,
             count(*)::int as n
        from carts where ended_at >= date_trunc('minute', now()) - interval '59 minutes'
       group by 1, 2, 3`,
  ]);
  const last = clock?.minute ?? Math.floor(Date.now() / 60_000) * 60;
  const minutes = Array.from({ length: 60 }, (_, i) => last - (59 - i) * 60);
  const zeros = () => minutes.map(() => 0);
  const series: MinuteSeries = {
    minutes,
    created: zeros(),
    released: { event: zeros(), sweep: zeros(), lazy: zeros(), empty: zeros(), operator: zeros() },
    converted: zeros(),
  };
  const slot = (t: number) => (t - minutes[0]!) / 60;
  for (const r of created) if (series.created[slot(r.t)] !== undefined) series.created[slot(r.t)]! += r.n;
  for (const r of ended) {
    const i = slot(r.t);
    if (r.state === "checked_out") series.converted[i] = (series.converted[i] ?? 0) + r.n;
    // An undone hold (compensate) is an emptied one as far as the operator is concerned.
    const path = r.path === "compensate" ? "empty" : r.path;
    const line = RELEASE_PATHS.find((p) => p === path);
    if (r.state === "expired" && line) series.released[line][i] = (series.released[line][i] ?? 0) + r.n;
  }
  return { series, at: clock?.at ?? Date.now() };
}

async function lagHistogram(): Promise<DashboardSnapshot["lag"]> {
  const sql = pg();
  const [row] = await sql<{ n: number; p50: number | null; p99: number | null; buckets: number[] }[]>`
    with x as (
      select greatest(0, extract(epoch from ended_at - expires_at) * 1000)::float8 as lag
        from carts
       where ended_at >= now() - interval '1 hour' and state = 'expired'
         and release_path in ('event', 'sweep', 'lazy'))
    select (select count(*)::int from x) as n,
           (select percentile_cont(0.5) within group (order by lag) from x) as p50,
           (select percentile_cont(0.99) within group (order by lag) from x) as p99,
           array(select coalesce(h.n, 0)::int
                   from generate_series(0, ${LAG_BOUNDS_MS.length}) b
                   left join (select width_bucket(lag, ${sql.array(LAG_BOUNDS_MS)}::float8[]) as bucket, count(*) as n
                                from x group by 1) h on h.bucket = b
                  order by b) as buckets`;
  return {
    boundsMs: LAG_BOUNDS_MS,
    counts: row?.buckets ?? LAG_BOUNDS_MS.map(() => 0).concat(0),
    count: row?.n ?? 0,
    p50Ms: row?.p50 === null || row?.p50 === undefined ? null : Math.round(row.p50),
    p99Ms: row?.p99 === null || row?.p99 === undefined ? null : Math.round(row.p99),
  };
}

/** Everything the operator's dashboard shows, read from Postgres. */
export async function dashboardSnapshot(): Promise<DashboardSnapshot> {
  const [products, holds, orders, { series, at }, lag, workers, ledger] = await Promise.all([
    productRows(),
    holdRows(),
    recentOrders(),
    minuteSeries(),
    lagHistogram(),
    recentWorkers(),
    ledgerStatus(),
  ]);
  return { at, products, holds, orders, series, lag, workers, ledger };
}
