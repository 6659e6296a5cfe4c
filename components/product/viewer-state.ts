/**
 * Where the person looking at a product stands, in one description, so that the product page,
 * its card and their notices all say the same thing: which of the controls to offer (add, join
 * the line, enter the draw) and which note to show follow from it, never from each component's
 * own reading of the stock. Pure: the page's live stock and the shopper's cart and line are its
 * inputs.
 */
export type ViewerInput = {
  /** Units anyone can hold now. */
  available: number;
  /** Units in carts, this shopper's included. */
  reserved: number;
  /** Units of it in this shopper's cart. */
  mine: number;
  /** A drop that has not opened: nobody can hold it yet. */
  dropPending: boolean;
  /** This shopper's place in its line or draw, if any. */
  entry: { offered: boolean; inDraw: boolean } | null;
};

export type ViewerState =
  /** Before a drop opens (or its result is read): the draw is entered, or can be. */
  | { kind: "drop-pending"; entered: boolean }
  /** Units came back to this shopper from the line: held in their cart (the offer's banner says so); more may be left to add. */
  | { kind: "offered"; available: number }
  /** Waiting in the line (after a draw, at the drawn place). */
  | { kind: "in-line" }
  /** Some can be held now (`mine` may already be in the cart). */
  | { kind: "available"; mine: number }
  /** None left to hold, and every held unit is this shopper's: nothing to wait for. */
  | { kind: "all-mine" }
  /** None left to hold: others hold some (and this shopper may hold some too). */
  | { kind: "held-by-others"; mine: number }
  /** None left and none held: only a restock brings it back. */
  | { kind: "sold-out" };

export function viewerState({ available, reserved, mine, dropPending, entry }: ViewerInput): ViewerState {
  // Offered units are in the cart whatever else holds; more of it only while it is on sale.
  if (entry?.offered) return { kind: "offered", available: dropPending ? 0 : available };
  // In a draw until its result is read, even once the drop opened (the page re-reads it).
  if (dropPending || entry?.inDraw) return { kind: "drop-pending", entered: entry !== null };
  if (entry) return { kind: "in-line" };
  if (available > 0) return { kind: "available", mine };
  if (mine > 0 && reserved <= mine) return { kind: "all-mine" };
  if (reserved > 0) return { kind: "held-by-others", mine };
  return { kind: "sold-out" };
}

/** What the page offers in a state. */
export type Controls = {
  /** "Add to cart". */
  add: boolean;
  /** "Join the line" / "Enter the draw", or neither. */
  join: "line" | "draw" | null;
  /** The note under the price: how long adding holds it, or how long a drawn unit is kept. */
  note: "hold" | "draw" | null;
};

export function controlsFor(state: ViewerState): Controls {
  switch (state.kind) {
    case "available":
      return { add: true, join: null, note: "hold" };
    case "drop-pending":
      return { add: false, join: state.entered ? null : "draw", note: "draw" };
    // A holder cannot wait for its own units: they would come back to them.
    case "held-by-others":
      return { add: false, join: state.mine > 0 ? null : "line", note: null };
    case "sold-out":
      return { add: false, join: "line", note: null };
    case "offered":
      return state.available > 0 ? { add: true, join: null, note: "hold" } : { add: false, join: null, note: null };
    case "all-mine":
    case "in-line":
      return { add: false, join: null, note: null };
  }
}
