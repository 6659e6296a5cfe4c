import { describe, expect, it } from "vitest";
import { assertWithinCaps } from "@/lib/cart/hold-limits";
import { refusalOf } from "../support/error-code";

// Invariant 9: what one client may hold across all of its carts (here 10 of an item, 20 in all).
const caps = { maxQtyPerLine: 10, maxUnitsPer: 20 };
const asking = (held: { product: number; total: number }, more: number) =>
  refusalOf(() => assertWithinCaps(held, more, caps));

describe("what one shopper may hold across their carts", () => {
  it("holding 8 of an item, a shopper gets 2 more and is refused a 3rd, told how many they hold", () => {
    expect(asking({ product: 8, total: 8 }, 2)).toBeNull();
    expect(asking({ product: 8, total: 8 }, 3)).toEqual({
      code: "hold_limit",
      message: "You already hold 8 of this item in your carts; one shopper can hold 10.",
      details: { held: 8, maxQtyPerLine: 10 },
    });
  });

  it("counts every item: holding 18 units, a shopper gets 2 of a new item and no 3rd", () => {
    expect(asking({ product: 0, total: 18 }, 2)).toBeNull();
    expect(asking({ product: 0, total: 18 }, 3)).toEqual({
      code: "hold_limit",
      message: "You already hold 18 items in your carts; one shopper can hold 20.",
      details: { held: 18, maxUnitsPerClient: 20 },
    });
  });

  it("names the item's cap first when a request passes both", () => {
    expect(asking({ product: 10, total: 20 }, 1)?.details).toEqual({ held: 10, maxQtyPerLine: 10 });
  });

  it("never refuses giving units back, even to a shopper over the caps", () => {
    expect(asking({ product: 15, total: 30 }, -2)).toBeNull();
    expect(asking({ product: 15, total: 30 }, 0)).toBeNull();
  });
});
