import { afterEach, describe, expect, it } from "vitest";
import { config } from "@/lib/base/config";
import { setTestConfig } from "../support/config";

// The helper every test file sets its configuration with: it must not matter whether config()
// was read before (by this file or anything it imported).
describe("setTestConfig", () => {
  afterEach(() => setTestConfig({ CART_TTL_SECONDS: undefined, MAX_LINES: undefined }));

  it("takes effect after config() has already been read and cached", () => {
    setTestConfig({ CART_TTL_SECONDS: "900" });
    expect(config().cartTtlSeconds).toBe(900);
    setTestConfig({ CART_TTL_SECONDS: "2" });
    expect(config().cartTtlSeconds).toBe(2);
  });

  it("removes a variable given as undefined, so its default applies again", () => {
    setTestConfig({ MAX_LINES: "3" });
    expect(config().maxLines).toBe(3);
    setTestConfig({ MAX_LINES: undefined });
    expect(process.env.MAX_LINES).toBeUndefined();
    expect(config().maxLines).toBe(20);
  });
});
