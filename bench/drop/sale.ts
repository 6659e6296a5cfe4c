import type { Recorder } from "./client";

/** What every shopper and bot of one rehearsal shares: where the sale is, and when it closes. */
export type Sale = {
  base: string;
  productId: number;
  slug: string;
  /** The hold (CART_TTL_SECONDS) in ms: people's thinking and patience scale with it. */
  holdMs: number;
  /** Shoppers arrive over this many ms from the opening, most of them early. */
  arrivalMs: number;
  /** A drop decided by a draw: its release (Unix ms, database clock); null when the sale is a race from the opening. */
  releaseAtMs: number | null;
  /** The product's limit per shopper (MAX_QTY_PER_LINE without one): what a bot asks for, the most one client may hold. */
  maxQtyPerLine: number;
  /** Aborts when the sale closes: every wait ends, nobody starts anything new. */
  closed: AbortSignal;
  recorder: Recorder;
};

/** The stock stream of the one product on sale. */
export const streamPath = (sale: Sale) => `/api/stock/stream?ids=${sale.productId}`;
