import { describe, expect, it } from "vitest";
import { cartIdOfSessionKey, cartKeys } from "@/lib/redis/keys";

describe("Redis keys", () => {
  it("share the {cartId} hash tag and map a session key back to its cart", () => {
    const id = "0b7d6d8e-3f7a-4e0c-9d3f-5f3e2c1a9b8d";
    const keys = cartKeys(id);
    for (const key of Object.values(keys)) expect(key).toContain(`{${id}}`);
    expect(cartIdOfSessionKey(keys.session)).toBe(id);
    expect(cartIdOfSessionKey(keys.lines)).toBeNull();
    expect(cartIdOfSessionKey("session")).toBeNull();
  });
});
