import type { CartSnapshot } from "./cart-types";
import type { AvailableChange } from "./stock-change";

/**
 * A change of one cart line:
 * - `add`: `quantity` (at least 1) more units;
 * - `set`: the line becomes `quantity` (0 removes it);
 * - `giveBack`: up to `quantity` fewer (a declined offer); a line holding fewer gives back all it holds;
 * - `undo`: reverts a change that moved the line by `quantity` (signed), leaving later changes be.
 */
export type LineChange = { productId: number; mode: "add" | "set" | "giveBack" | "undo"; quantity: number };

/** The quantity a line of `current` units is to hold after `change`. */
export function targetQuantity(current: number, { mode, quantity }: LineChange): number {
  switch (mode) {
    case "add":
      if (quantity < 1) throw new Error(`an add of ${quantity} units: use giveBack or undo`);
      return current + quantity;
    case "set":
      return quantity;
    case "giveBack":
      return Math.max(0, current - quantity);
    case "undo":
      // Below zero only when a later change (another tab) already gave those units back.
      return Math.max(0, current - quantity);
  }
}

/** Which cart a change is for: an existing one, or a new one that `client` starts. */
export type CartTarget = { cartId: string; newFor?: string };

/** What Postgres committed: the cart's new snapshot, and what moved. */
export type Applied = CartSnapshot & { previousQuantity: number; lineQuantity: number; change: AvailableChange | null };

/** One request for a change, as a batch carries it. */
export type LineChangeRequest = { target: CartTarget; change: LineChange };
