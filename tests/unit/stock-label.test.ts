import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { holdDuration } from "@/components/product/hold-duration";
import { StockLabel, type StockLabelProps } from "@/components/product/stock-label";

/** What a shopper reads. */
const label = (props: StockLabelProps) =>
  renderToStaticMarkup(createElement(StockLabel, props))
    .replace(/<[^>]+>/g, "")
    .replace(/&#x27;/g, "'");

describe("the stock label tells held from sold", () => {
  it("says sold out only when nothing is held", () => {
    expect(label({ available: 0, reserved: 0, releaseInMs: null })).toBe("Sold out");
  });

  it("says when the first hold ends when every unit is in a cart", () => {
    expect(label({ available: 0, reserved: 3, releaseInMs: 252_000 })).toBe(
      "All 3 are in shoppers' carts. The first hold ends in 4:12.",
    );
    expect(label({ available: 0, reserved: 1, releaseInMs: 252_000 })).toBe(
      "The last one is in a shopper's cart. Their hold ends in 4:12.",
    );
  });

  it("never counts below zero: a hold past its deadline is ending now", () => {
    expect(label({ available: 0, reserved: 3, releaseInMs: -40 })).toBe(
      "All 3 are in shoppers' carts. The first hold is ending now…",
    );
    expect(label({ available: 0, reserved: 1, releaseInMs: 0 })).toBe(
      "The last one is in a shopper's cart. Their hold is ending now…",
    );
  });

  it("tells a shopper the units are in their own cart", () => {
    expect(label({ available: 0, reserved: 1, releaseInMs: 60_000, mine: 1 })).toBe("The last one is in your cart.");
    expect(label({ available: 0, reserved: 2, releaseInMs: 60_000, mine: 2 })).toBe("All 2 are in your cart.");
  });

  it("puts what is left first, and what is in carts beside it for scarce items", () => {
    expect(label({ available: 2, reserved: 3, releaseInMs: 60_000 })).toBe("Only 2 left · 3 in carts");
    expect(label({ available: 2, reserved: 1, releaseInMs: 60_000 })).toBe("Only 2 left · 1 in a cart");
    expect(label({ available: 2, reserved: 0, releaseInMs: null })).toBe("Only 2 left");
    expect(label({ available: 42, reserved: 7, releaseInMs: 60_000 })).toBe("42 left");
  });

  it("names the reader's own units among those in carts: not somebody else's hold", () => {
    expect(label({ available: 2, reserved: 1, releaseInMs: 60_000, mine: 1 })).toBe("Only 2 left · 1 in your cart");
    expect(label({ available: 2, reserved: 2, releaseInMs: 60_000, mine: 2 })).toBe("Only 2 left · 2 in your cart");
    expect(label({ available: 2, reserved: 3, releaseInMs: 60_000, mine: 1 })).toBe(
      "Only 2 left · 3 in carts, 1 in yours",
    );
  });
});

describe("how long a hold lasts, in words", () => {
  it.each([
    [900, "15 minutes"],
    [120, "2 minutes"],
    [8, "8 seconds"],
    [90, "1 minute 30 seconds"],
    [60, "1 minute"],
    [3_600, "1 hour"],
  ])("%i s is %s", (seconds, words) => expect(holdDuration(seconds)).toBe(words));
});
