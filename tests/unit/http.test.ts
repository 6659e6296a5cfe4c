import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ShopError } from "@/lib/base/shop-error";
import { describeError, errorResponse, isBackendUnavailable } from "@/lib/http/error-response";
import { assertSameOrigin, clientIp, parseProductId, readJson } from "@/lib/http/request";
import { originForm } from "@/lib/http/raw-request";
import { sameSitePath } from "@/lib/http/same-site-path";
import { codeOf } from "../support/error-code";

describe("request guards", () => {
  it("parses product ids strictly", () => {
    expect(parseProductId("42")).toBe(42);
    for (const bad of ["0", "-1", "1.5", "abc", "", "01", "99999999999", "1e3"]) {
      expect(
        codeOf(() => parseProductId(bad)),
        bad,
      ).toBe("invalid_request");
    }
  });

  it("refuses cross-site writes and lets same-origin and non-browser clients through", () => {
    const req = (headers: Record<string, string>) =>
      new Request("http://shop.test/api/cart", { method: "POST", headers: { host: "shop.test", ...headers } });
    expect(
      codeOf(() => assertSameOrigin(req({ origin: "http://shop.test", "sec-fetch-site": "same-origin" }))),
    ).toBeNull();
    expect(codeOf(() => assertSameOrigin(req({})))).toBeNull();
    expect(codeOf(() => assertSameOrigin(req({ origin: "https://evil.test" })))).toBe("forbidden");
    expect(codeOf(() => assertSameOrigin(req({ "sec-fetch-site": "cross-site" })))).toBe("forbidden");
    expect(codeOf(() => assertSameOrigin(req({ "sec-fetch-site": "same-site" })))).toBe("forbidden");
    expect(codeOf(() => assertSameOrigin(req({ origin: "null" })))).toBe("forbidden");
    // X-Forwarded-Host as the operator's proxies leave it: the nearest proxy's (last) entry counts.
    expect(
      codeOf(() => assertSameOrigin(req({ origin: "http://shop.example", "x-forwarded-host": "evil, shop.example" }))),
    ).toBeNull();
    expect(
      codeOf(() => assertSameOrigin(req({ origin: "http://evil", "x-forwarded-host": "evil, shop.example" }))),
    ).toBe("forbidden");
  });

  it("sends a browser back only to a path on this site (a plain form's returnTo, the no-script wait's back)", () => {
    expect(sameSitePath("/products/wool-beanie?variant=3", "/cart")).toBe("/products/wool-beanie?variant=3");
    expect(sameSitePath("/", "/cart")).toBe("/");
    for (const bad of [
      "//evil.example",
      "/\\evil.example",
      "https://evil.example/",
      "products",
      "/a b",
      "/é",
      null,
      42,
    ])
      expect(sameSitePath(bad, "/cart"), String(bad)).toBe("/cart");
    expect(sameSitePath(`/${"a".repeat(500)}`, "/")).toBe("/");
  });

  it("answers an absolute-form request line for its own host only, in origin form", () => {
    expect(originForm("/api/cart?x=1", "shop.test")).toBe("/api/cart?x=1");
    expect(originForm("http://shop.test/api/cart?x=1", "shop.test")).toBe("/api/cart?x=1");
    expect(originForm("http://SHOP.test:80/x", "shop.test")).toBe("/x");
    expect(originForm("http://evil.example/x", "shop.test")).toBeNull();
    expect(originForm("http://evil.example/x", undefined)).toBeNull();
    expect(originForm("ftp://shop.test/x", "shop.test")).toBeNull();
    expect(originForm("evil.example:443", "shop.test")).toBeNull();
  });

  it("reads small JSON bodies and refuses the rest with the right code", async () => {
    const schema = z.strictObject({ quantity: z.number().int() });
    const post = (body: string, type = "application/json") =>
      new Request("http://shop.test/", { method: "POST", headers: { "content-type": type }, body });
    await expect(readJson(post('{"quantity":2}'), schema)).resolves.toEqual({ quantity: 2 });
    const code = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: ShopError) => e.code,
      );
    expect(await code(readJson(post('{"quantity":2}', "text/plain"), schema))).toBe("unsupported_media_type");
    expect(await code(readJson(post("{"), schema))).toBe("invalid_request");
    expect(await code(readJson(post('{"quantity":2.5}'), schema))).toBe("invalid_quantity");
    expect(await code(readJson(post(`{"quantity":1,"x":"${"y".repeat(5000)}"}`), schema))).toBe("payload_too_large");
  });

  it("counts a client by the address the web server wrote, bounded whatever the header says", () => {
    expect(clientIp(new Headers({ "x-forwarded-for": "203.0.113.9, 198.51.100.1" }))).toBe("198.51.100.1");
    expect(clientIp(new Headers({ "x-forwarded-for": "::ffff:198.51.100.2" }))).toBe("198.51.100.2");
    expect(clientIp(new Headers({ "x-forwarded-for": "x".repeat(12_000) }))).toBe("unknown");
    expect(clientIp(new Headers())).toBe("unknown");
  });
});

describe("errors to HTTP", () => {
  it("maps domain codes in one place, with details and no stack", () => {
    const { status, body } = describeError(new ShopError("insufficient_stock", "Only 2 left.", { available: 2 }));
    expect(status).toBe(409);
    expect(body).toEqual({ error: { code: "insufficient_stock", message: "Only 2 left.", available: 2 } });
    expect(describeError(new ShopError("cart_expired", "x")).status).toBe(410);
  });

  it("answers 503 for Redis and Postgres outages and 500 (without details) for bugs", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(isBackendUnavailable(refused)).toBe(true);
    expect(isBackendUnavailable(Object.assign(new Error("Failed query"), { cause: { code: "57P01" } }))).toBe(true);
    expect(isBackendUnavailable(Object.assign(new Error("x"), { name: "MaxRetriesPerRequestError" }))).toBe(true);
    expect(describeError(refused).status).toBe(503);
    const bug = describeError(new TypeError("cannot read properties of undefined"));
    expect(bug.status).toBe(500);
    expect(JSON.stringify(bug.body)).not.toMatch(/undefined|TypeError/);
  });
});

describe("Retry-After", () => {
  it("comes with every 429 and 503, from the error when it says", () => {
    const retryAfter = (error: ShopError) => errorResponse(error).headers.get("retry-after");
    expect(retryAfter(new ShopError("rate_limited", "Slow down.", { retryAfter: 5 }))).toBe("5");
    expect(retryAfter(new ShopError("rate_limited", "Slow down."))).toBe("60");
    expect(retryAfter(new ShopError("service_unavailable", "Busy."))).toBe("1");
    expect(retryAfter(new ShopError("insufficient_stock", "Gone."))).toBeNull();
  });
});
