import { describe, expect, it } from "vitest";
import { newCartId, signCartId } from "@/lib/cart/cart-id";
import { signature } from "@/lib/base/signed-value";
import { verifyWaiterCookie } from "@/lib/http/waiter-session";

// Who waits in line: `<uuid>.<signature for "waiter">`, given when a shopper first joins a line.
const waiterCookie = (id: string) => `${id}.${signature(id, "waiter")}`;

describe("the waiter cookie", () => {
  it("gives back the waiter id of a genuine cookie", () => {
    const id = newCartId();
    expect(verifyWaiterCookie(waiterCookie(id))).toBe(id);
  });

  it("is not a cart cookie: the same id signed as a cart does not make its holder a waiter", () => {
    const id = newCartId();
    expect(verifyWaiterCookie(signCartId(id))).toBeNull();
  });

  it("treats a tampered, foreign, malformed or missing value as no place in any line", () => {
    const value = waiterCookie(newCartId());
    const [, mac] = value.split(".") as [string, string];
    expect(verifyWaiterCookie(`${newCartId()}.${mac}`)).toBeNull(); // someone else's id, my signature
    expect(verifyWaiterCookie(`${value.slice(0, -1)}${value.endsWith("A") ? "B" : "A"}`)).toBeNull();
    expect(verifyWaiterCookie(`${value}.extra`)).toBeNull();
    expect(verifyWaiterCookie(`not-a-uuid.${mac}`)).toBeNull();
    expect(verifyWaiterCookie("")).toBeNull();
    expect(verifyWaiterCookie(null)).toBeNull();
    expect(verifyWaiterCookie(undefined)).toBeNull();
  });
});
