import type { DrawSummary } from "../drops/draw-record";
import type { LedgerDrift } from "../hold/drift";
import type { WorkerBeat } from "../hold/worker-heartbeats";

/** What the operator's dashboard receives every second (GET /api/admin/stream); no server-only: the page reads it too. */

export type ProductRow = {
  id: number;
  slug: string;
  name: string;
  onHand: number;
  available: number;
  /** Units in shoppers' carts. */
  reserved: number;
  sold: number;
  /** Shoppers waiting in line for it. */
  waiting: number;
  /** ms until the earliest deadline among its holds (database clock); null when none is held. */
  nextReleaseInMs: number | null;
  /** Units one shopper may hold and wait for; null: MAX_QTY_PER_LINE. */
  perShopperLimit: number | null;
  /** Its latest drop, null when it never had one: when it opens or opened, and its draw so far. */
  drop: { releaseAt: string; opened: boolean; draw: DrawCounts } | null;
};

/** A drop's entrants by what came of them, and the units offered to them (lib/drops/draw-record.ts). */
export type DrawCounts = DrawSummary;

export type HoldRow = {
  /** The first 8 characters of the cart id: enough to tell carts apart, useless to take one over. */
  cart: string;
  units: number;
  /** ms until the deadline (database clock); negative while overdue. */
  ttlMs: number;
  extensionsUsed: number;
  /** What it holds, by product. */
  items: { name: string; quantity: number }[];
};

/** One of the most recent orders. */
export type OrderRow = {
  /** The short number the shopper sees ("#1A2B3C4D"). */
  number: string;
  placedAt: string;
  email: string;
  items: { name: string; quantity: number }[];
  totalCents: number;
};

export const RELEASE_PATHS = ["event", "sweep", "lazy", "empty", "operator"] as const;
export type ReleasePathName = (typeof RELEASE_PATHS)[number];

/** Per minute over the last hour, oldest first; `minutes` are Unix seconds of each minute's start. */
export type MinuteSeries = {
  minutes: number[];
  created: number[];
  released: Record<ReleasePathName, number[]>;
  converted: number[];
};

/** Release lag (deadline → stock restored) over the last hour, of holds that ran out (event, sweep, lazy). */
export type LagHistogram = {
  /** Upper bounds in ms of each bucket; the last bucket has no bound. */
  boundsMs: number[];
  counts: number[];
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
};

/** A product whose ledger does not add up, with what is wrong (lib/hold/drift.ts). */
export type LedgerProblem = LedgerDrift;

export type DashboardSnapshot = {
  /** Database time of the read, Unix ms. */
  at: number;
  products: ProductRow[];
  holds: { active: number; overdue: number; shown: HoldRow[] };
  orders: OrderRow[];
  series: MinuteSeries;
  lag: LagHistogram;
  workers: WorkerBeat[];
  ledger: { status: "ok" | "drift"; drift: LedgerProblem[] };
};
