import { describe, expect, it } from "vitest";
import { insufficientStock } from "@/lib/base/shop-error";

// What a shopper is told when there are not enough units to hold: held units are not "sold".
describe("the refusal for lack of stock", () => {
  it("says how many are left when some are", () => {
    const error = insufficientStock(2, 5);
    expect(error).toMatchObject({
      code: "insufficient_stock",
      message: "Only 2 left.",
      details: { available: 2, reserved: 5 },
    });
  });

  it("says the rest are in other shoppers' carts, and may come back, when none are free but some are held", () => {
    const error = insufficientStock(0, 3);
    expect(error.message).toBe("All of them are in other shoppers' carts right now. They come back if a hold ends.");
    expect(error.details).toEqual({ available: 0, reserved: 3 });
  });

  it("never calls the shopper's own units other shoppers'", () => {
    expect(insufficientStock(0, 3, 1).message).toBe(
      "The rest are in other shoppers' carts right now. They come back if a hold ends.",
    );
    expect(insufficientStock(0, 2, 2).message).toBe("You have the last ones: all of them are in your cart.");
  });

  it("says sold out only when nothing is free and nothing is held", () => {
    expect(insufficientStock(0).message).toBe("Sorry, this item is sold out.");
    expect(insufficientStock(0, 0).details).toEqual({ available: 0, reserved: 0 });
  });
});
