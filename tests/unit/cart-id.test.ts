import { describe, expect, it } from "vitest";
import { newCartId, signCartId, verifyCartCookie } from "@/lib/cart/cart-id";

describe("the cart cookie", () => {
  it("round-trips a fresh 128-bit id", () => {
    const id = newCartId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(verifyCartCookie(signCartId(id))).toBe(id);
    expect(newCartId()).not.toBe(id);
  });

  it("treats a tampered, unsigned, foreign or malformed value as no cart", () => {
    const id = newCartId();
    const value = signCartId(id);
    const other = newCartId();
    expect(verifyCartCookie(`${other}.${value.split(".")[1]}`)).toBeNull(); // someone else's id, my signature
    expect(verifyCartCookie(`${value.slice(0, -1)}${value.endsWith("A") ? "B" : "A"}`)).toBeNull();
    expect(verifyCartCookie(id)).toBeNull();
    expect(verifyCartCookie("")).toBeNull();
    expect(verifyCartCookie(undefined)).toBeNull();
    expect(verifyCartCookie(`${value}x`)).toBeNull();
    expect(verifyCartCookie("'; drop table carts; --")).toBeNull();
  });
});
