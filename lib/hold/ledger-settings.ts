import "server-only";
import { config } from "../base/config";

/**
 * The configuration the ledger's SQL functions decide by (drizzle/0006_hot_row_functions.sql:
 * change_lines, release_carts, hand_off_freed), passed with each call as one jsonb value, so the
 * database applies exactly the limits this process was started with.
 */
export type LedgerSettings = {
  cartTtlSeconds: number;
  offerTtlSeconds: number;
  holdLimits: boolean;
  maxQtyPerLine: number;
  maxLines: number;
  maxUnitsPerCart: number;
  /** An offer put into a cart counts as one of its extensions (offer_to_line, drizzle/0008_drops.sql). */
  maxHoldExtensions: number;
};

/** The settings as the functions take them: a JSON text, cast to jsonb in the call. */
export function ledgerSettingsJson(): string {
  const { cartTtlSeconds, offerTtlSeconds, holdLimits, maxQtyPerLine, maxLines, maxUnitsPerCart, maxHoldExtensions } =
    config();
  const settings: LedgerSettings = {
    cartTtlSeconds,
    offerTtlSeconds,
    holdLimits,
    maxQtyPerLine,
    maxLines,
    maxUnitsPerCart,
    maxHoldExtensions,
  };
  return JSON.stringify(settings);
}
