import path from "node:path";
import { describe, expect, it } from "vitest";
import { countsTowardRate, publicFilePaths } from "@/lib/http/door/counted-request";

const publicFiles = publicFilePaths(path.resolve(import.meta.dirname, "../../public"));

describe("what spends a client's rate budget at the door", () => {
  it("pages, API calls, server actions and stream opens count", () => {
    for (const url of ["/", "/products/canvas-tote-bag", "/api/cart/items", "/api/stock/stream?ids=1,2", "/cart"]) {
      expect(countsTowardRate(url, publicFiles), url).toBe(true);
    }
  });

  it("static files a page view fetches by the dozen do not", () => {
    expect(publicFiles.has("/products/canvas-tote-bag.svg")).toBe(true);
    for (const url of [
      "/_next/static/chunks/app.js",
      "/_next/image?url=%2Fproducts%2Fa.svg&w=640&q=75",
      "/products/canvas-tote-bag.svg",
      "/icon.svg?3f2a",
    ]) {
      expect(countsTowardRate(url, publicFiles), url).toBe(false);
    }
  });

  it("a path that only looks like a file counts: Next would render it", () => {
    for (const url of ["/products/no-such-thing.svg", "/api/cart/items.js", "/x.css?y"]) {
      expect(countsTowardRate(url, publicFiles), url).toBe(true);
    }
  });
});
