import { describe, expect, it } from "vitest";
import { holdLimitError } from "@/lib/hold/hold-limits";

// Invariant 9's refusal as a shopper reads it. The rule itself is decided in the ledger
// (change_lines, drizzle/0007_per_shopper_limit.sql) and tested against it in
// tests/integration/client-caps.test.ts; the function answers its details in words.
describe("what a shopper is told past what one shopper may hold", () => {
  it("of one item: the item's limit per shopper, and how many they hold", () => {
    const refusal = holdLimitError({ held: 1, perShopperLimit: 1 });
    expect(refusal.code).toBe("hold_limit");
    expect(refusal.message).toBe("Limit 1 per shopper: you already hold 1 of this item in your carts.");
    expect(refusal.details).toEqual({ held: 1, perShopperLimit: 1 });
  });

  it("in all: how many items they hold and the limit", () => {
    const refusal = holdLimitError({ held: 18, maxUnitsPerClient: 20 });
    expect(refusal.message).toBe("You already hold 18 items in your carts; one shopper can hold 20.");
    expect(refusal.details).toEqual({ held: 18, maxUnitsPerClient: 20 });
  });
});
