import { describe, expect, it } from "vitest";
import { controlsFor, viewerState, type ViewerInput } from "@/components/product/viewer-state";

const view = (over: Partial<ViewerInput>): ViewerInput => ({
  available: 0,
  reserved: 0,
  mine: 0,
  dropPending: false,
  entry: null,
  ...over,
});
const controls = (over: Partial<ViewerInput>) => controlsFor(viewerState(view(over)));

describe("where the viewer of a product stands, and what the page offers them", () => {
  it("nothing held by me, some left: add, with the hold's note; never the line", () => {
    expect(viewerState(view({ available: 4, reserved: 2 }))).toEqual({ kind: "available", mine: 0 });
    expect(controls({ available: 4 })).toEqual({ add: true, join: null, note: "hold" });
    expect(controls({ available: 1, reserved: 3, mine: 1 })).toEqual({ add: true, join: null, note: "hold" });
  });

  it("held by me, none left: nothing to add and no line to join for my own units", () => {
    expect(viewerState(view({ reserved: 2, mine: 2 }))).toEqual({ kind: "all-mine" });
    expect(controls({ reserved: 2, mine: 2 })).toEqual({ add: false, join: null, note: null });
    // Mine and others': still no line for a holder.
    expect(viewerState(view({ reserved: 3, mine: 1 }))).toEqual({ kind: "held-by-others", mine: 1 });
    expect(controls({ reserved: 3, mine: 1 }).join).toBeNull();
  });

  it("held by others: the line, no add", () => {
    expect(viewerState(view({ reserved: 3 }))).toEqual({ kind: "held-by-others", mine: 0 });
    expect(controls({ reserved: 3 })).toEqual({ add: false, join: "line", note: null });
    expect(controls({})).toEqual({ add: false, join: "line", note: null }); // sold out: a restock may come
  });

  it("in line: neither add nor join, the place says it; offered: the banner says it", () => {
    // Even with units available (a moment before they are handed to the line, which comes first).
    expect(controls({ available: 2, reserved: 1, entry: { offered: false, inDraw: false } })).toEqual({
      add: false,
      join: null,
      note: null,
    });
    expect(viewerState(view({ reserved: 3, entry: { offered: false, inDraw: false } }))).toEqual({ kind: "in-line" });
    expect(controls({ reserved: 3, entry: { offered: false, inDraw: false } })).toEqual({
      add: false,
      join: null,
      note: null,
    });
    // Offered units are in my cart (mine), whatever else the stock says.
    expect(viewerState(view({ available: 2, mine: 1, entry: { offered: true, inDraw: false } }))).toEqual({
      kind: "offered",
      available: 2,
    });
    // More of it can still be added when some is left; the line is never offered again.
    expect(controls({ available: 2, mine: 1, entry: { offered: true, inDraw: false } })).toEqual({
      add: true,
      join: null,
      note: "hold",
    });
    // An offer still open when the operator schedules a new drop: nothing more to add until it opens.
    expect(controls({ available: 5, mine: 1, dropPending: true, entry: { offered: true, inDraw: false } })).toEqual({
      add: false,
      join: null,
      note: null,
    });
    expect(controls({ reserved: 1, mine: 1, entry: { offered: true, inDraw: false } })).toEqual({
      add: false,
      join: null,
      note: null,
    });
  });

  it("a drop before it opens: enter the draw once, with the drawn unit's note; never add", () => {
    expect(controls({ available: 40, dropPending: true })).toEqual({ add: false, join: "draw", note: "draw" });
    expect(controls({ available: 40, dropPending: true, entry: { offered: false, inDraw: true } })).toEqual({
      add: false,
      join: null,
      note: "draw",
    });
  });
});
