import { describe, expect, it } from "vitest";
import { adminAccessUntil } from "@/lib/admin/auth";
import { ADMIN_COOKIE, ADMIN_SESSION_SECONDS, newAdminSession, verifyAdminSession } from "@/lib/admin/session";
import { signCartId } from "@/lib/cart/cart-id";
import { setTestConfig } from "../support/config";

// This file's secret and token, whatever config() read before.
setTestConfig({ SESSION_SECRET: "unit-session-secret-unit-session-secret-01", ADMIN_TOKEN: "unit-admin-token-0123" });

describe("the admin session cookie", () => {
  it("is valid until it expires, then not", () => {
    const now = Date.parse("2026-11-26T12:00:00Z");
    const { value, expiresAtMs } = newAdminSession(now);
    expect(expiresAtMs).toBe(now + ADMIN_SESSION_SECONDS * 1000);
    expect(verifyAdminSession(value, now)).toBe(expiresAtMs);
    expect(verifyAdminSession(value, expiresAtMs)).toBeNull();
  });

  it("treats a tampered, extended, foreign or malformed value as no session", () => {
    const { value } = newAdminSession();
    const [exp, nonce, mac] = value.split(".") as [string, string, string];
    expect(verifyAdminSession(`${Number(exp) + 3600}.${nonce}.${mac}`)).toBeNull(); // a later expiry, same signature
    expect(verifyAdminSession(`${exp}.${nonce}.${mac.slice(0, -1)}${mac.endsWith("A") ? "B" : "A"}`)).toBeNull();
    expect(verifyAdminSession(`${exp}.${nonce}`)).toBeNull();
    expect(verifyAdminSession(signCartId("0b7d6d8e-3f7a-4e0c-9d3f-5f3e2c1a9b8d"))).toBeNull();
    expect(verifyAdminSession("")).toBeNull();
    expect(verifyAdminSession(undefined)).toBeNull();
  });

  it("opens the admin routes beside the bearer token; a wrong bearer is refused even with a session", () => {
    const { value } = newAdminSession();
    const cookie = `cart=x; ${ADMIN_COOKIE}=${value}; other=1`;
    expect(adminAccessUntil(new Headers({ cookie }))).toBeGreaterThan(Date.now());
    expect(adminAccessUntil(new Headers({ authorization: "Bearer  unit-admin-token-0123" }))).toBe(Infinity);
    expect(adminAccessUntil(new Headers({ authorization: "Bearer nope", cookie }))).toBeNull();
    expect(adminAccessUntil(new Headers({ cookie: `${ADMIN_COOKIE}=forged` }))).toBeNull();
    expect(adminAccessUntil(new Headers())).toBeNull();
  });
});
