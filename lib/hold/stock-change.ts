/**
 * What a publisher announces over Redis pub/sub after it changed a product's counters: only what
 * it knows for certain at that moment. The stream never forwards it as is (see StockHub).
 */
export type AvailableChange = { productId: number; available: number };

/**
 * One product's stock as the live stock stream sends it, a list of these per `data:` message.
 * Shared by the server and the browser (no `server-only`): add a field here and both see it.
 */
export type StockChange = {
  /** The row of stock: a product sold as one thing, or one of a product's variants. */
  productId: number;
  /** The same row as the variant it is (a product sold as one thing is its own single variant). */
  variantId: number;
  available: number;
  /** Units in shoppers' carts: they come back if those holds end. */
  reserved: number;
  /** Shoppers in line for it. */
  waiting: number;
  /** The earliest deadline among the product's active holds (ISO, database clock); null if none. */
  nextReleaseAt: string | null;
  /**
   * `nextReleaseAt` minus the database's `now()` when the message was read, in ms: the browser
   * lays it on its own monotonic clock, so a wrong wall clock cannot skew the countdown.
   */
  nextReleaseInMs: number | null;
  /** A drop that has not opened: when it opens (ISO); null once it is on sale (invariant 11). */
  releaseAt: string | null;
  /** `releaseAt` minus the database's `now()` when the message was read, in ms. */
  releaseInMs: number | null;
};
