import { describe, expect, it, vi } from "vitest";
import { PageCache, type RenderedPage } from "@/lib/pages/page-cache";
import { renderRequest, sharedView } from "@/lib/pages/shared-page";
import { encodeBody, preferredEncoding } from "@/lib/base/content-encoding";
import { brotliDecompressSync, gunzipSync } from "node:zlib";

const html = (text: string, keep = true): RenderedPage => ({
  status: 200,
  headers: { "content-type": "text/html; charset=utf-8" },
  body: Buffer.from(text),
  keep,
});

/** Next as the cache sees it: each render answers when the test says so, and renders are counted. */
function next() {
  const pending: { path: string; resolve: (page: RenderedPage) => void; reject: (e: Error) => void }[] = [];
  return {
    renders: () => pending.length,
    render: (path: string) => new Promise<RenderedPage>((resolve, reject) => pending.push({ path, resolve, reject })),
    answer: (i: number, page: RenderedPage) => pending[i]?.resolve(page),
    fail: (i: number) => pending[i]?.reject(new Error("Next failed")),
  };
}

const text = async (view: Promise<{ page: RenderedPage; source: string }>) => {
  const { page, source } = await view;
  return `${page.body.toString()}${source === "miss" ? "" : ` (${source})`}`;
};

describe("which page views share one render", () => {
  const view = (url: string, headers: Record<string, string> = {}, method = "GET") => sharedView(method, url, headers);
  /** A page load, as the view says it: the page's path, asked for as HTML. */
  const page = (path: string, own = false) => ({
    key: JSON.stringify([path, { accept: "text/html" }]),
    url: path,
    headers: { accept: "text/html" },
    own,
  });

  it("the catalog and a product page, viewed by a browser that holds nothing", () => {
    expect(view("/")).toEqual(page("/"));
    expect(view("/products/wool-beanie", { accept: "text/html", cookie: "theme=dark" })).toEqual(
      page("/products/wool-beanie"),
    );
    expect(view("/products/wool-beanie", {}, "HEAD")).toEqual(page("/products/wool-beanie"));
    expect(renderRequest(page("/").key)).toEqual({ url: "/", headers: { accept: "text/html" } });
  });

  it("a cart or a place in line shares it only in a browser that runs the pages' script, told to read its hold", () => {
    for (const cookie of ["cart=abc.def", "theme=dark; waiter=abc.def", " cart = x"]) {
      expect(view("/products/wool-beanie", { cookie })).toBeNull();
      expect(view("/products/wool-beanie", { cookie: `${cookie}; scripts=1` })).toEqual(
        page("/products/wool-beanie", true),
      );
    }
    expect(view("/", { cookie: "scripts=1" })).toEqual(page("/"));
  });

  it("never a form's message", () => {
    for (const cookie of ["flash=%7B%7D", "scripts=1; flash=%7B%7D", "cart=x; scripts=1; flash=%7B%7D"]) {
      expect(view("/products/wool-beanie", { cookie })).toBeNull();
    }
    expect(view("/", { "x-holdcart-flash": "{}" })).toBeNull();
  });

  it("a client navigation by a browser that holds nothing: one render per URL and Next's headers, its cookies left out", () => {
    const tree = "%5B%22%22%2C%7B%7D%5D";
    const asked = { rsc: "1", "next-router-state-tree": tree, "next-url": "/", cookie: "scripts=1; theme=dark" };
    const navigation = view("/products/wool-beanie?_rsc=abc12", asked);
    const headers = { accept: "*/*", rsc: "1", "next-router-state-tree": tree, "next-url": "/" };
    expect(navigation).toEqual({
      key: JSON.stringify(["/products/wool-beanie?_rsc=abc12", headers]),
      url: "/products/wool-beanie?_rsc=abc12",
      headers,
      own: false,
    });
    // Another tree (from another page, or a refresh) is another render.
    const fromElsewhere = view("/products/wool-beanie?_rsc=abc12", { ...asked, "next-router-state-tree": "x" });
    expect(fromElsewhere?.key).not.toBe(navigation?.key);
    // Someone's own: their hold may be in the payload (a refresh renders the layout).
    expect(view("/products/wool-beanie?_rsc=abc12", { ...asked, cookie: "cart=x; scripts=1" })).toBeNull();
    expect(view("/products/wool-beanie?_rsc=abc12", { ...asked, cookie: "waiter=x" })).toBeNull();
    expect(view("/products/wool-beanie?_rsc=abc12", { ...asked, cookie: "flash=%7B%7D" })).toBeNull();
    // Only Next's own form of it.
    expect(view("/products/wool-beanie", asked)).toBeNull();
    expect(view("/products/wool-beanie?_rsc=abc12&variant=2", asked)).toBeNull();
    expect(view("/products/wool-beanie?_rsc=abc12", { ...asked, rsc: "0" })).toBeNull();
    expect(view("/cart?_rsc=abc12", asked)).toBeNull();
  });

  it("not prefetches without RSC, other pages, queries or writes", () => {
    expect(view("/", { "next-router-prefetch": "1" })).toBeNull();
    for (const url of [
      "/cart",
      "/admin",
      "/products/",
      "/products/Wool",
      "/products/a/b",
      "/?_rsc=x",
      "/?variant=1",
      "/api/products",
    ]) {
      expect(view(url)).toBeNull();
    }
    expect(view("/", {}, "POST")).toBeNull();
  });
});

describe("a page rendered once for every view", () => {
  it("views while it renders wait for that one render; later views get it until it is too old", async () => {
    let now = 0;
    const n = next();
    const cache = new PageCache({ render: n.render, maxAgeMs: 1_000, now: () => now });
    const first = text(cache.get("/"));
    const second = text(cache.get("/"));
    expect(n.renders()).toBe(1);
    n.answer(0, html("catalog 42 left"));
    expect([await first, await second]).toEqual(["catalog 42 left", "catalog 42 left"]);
    now = 1_000;
    expect(await text(cache.get("/"))).toBe("catalog 42 left (hit)");
    now = 1_001;
    const third = text(cache.get("/"));
    expect(n.renders()).toBe(2);
    n.answer(1, html("catalog 41 left"));
    expect(await third).toBe("catalog 41 left");
  });

  it("a page slower to render than maxAgeMs is still rendered once for the views that wait for it", async () => {
    let now = 0;
    const n = next();
    const cache = new PageCache({ render: n.render, maxAgeMs: 1_000, now: () => now });
    const first = text(cache.get("/"));
    now = 5_000;
    const second = text(cache.get("/"));
    expect(n.renders()).toBe(1);
    n.answer(0, html("catalog of 500"));
    expect([await first, await second]).toEqual(["catalog of 500", "catalog of 500"]);
    void cache.get("/");
    expect(n.renders()).toBe(2);
  });

  it("a stock change ends every page; a render begun before it is sent to its waiting views, and one more render follows it", async () => {
    let now = 0;
    const n = next();
    const cache = new PageCache({ render: n.render, maxAgeMs: 60_000, now: () => now });
    const product = text(cache.get("/products/wool-beanie"));
    cache.invalidate();
    const after = text(cache.get("/products/wool-beanie"));
    const alsoAfter = text(cache.get("/products/wool-beanie"));
    expect(n.renders()).toBe(1); // never two renders of a page at once
    n.answer(0, html("3 left"));
    expect(await product).toBe("3 left");
    await Promise.resolve();
    expect(n.renders()).toBe(2); // one render for both views after the change
    n.answer(1, html("Only 2 left"));
    expect([await after, await alsoAfter]).toEqual(["Only 2 left", "Only 2 left"]);
    now = 10;
    expect(await text(cache.get("/products/wool-beanie"))).toBe("Only 2 left (hit)");
  });

  it("a view that arrives while the page renders after a change waits staleWaitMs, then gets the newest render there is", async () => {
    vi.useFakeTimers();
    try {
      let now = 0;
      const n = next();
      const cache = new PageCache({ render: n.render, maxAgeMs: 60_000, staleWaitMs: 200, now: () => now });
      const first = text(cache.get("/"));
      n.answer(0, html("catalog 9 left"));
      expect(await first).toBe("catalog 9 left");

      cache.invalidate();
      now = 100;
      const renderer = text(cache.get("/")); // renders the page and waits for it
      const meanwhile = text(cache.get("/"));
      expect(n.renders()).toBe(2);
      await vi.advanceTimersByTimeAsync(200);
      expect(await meanwhile).toBe("catalog 9 left (stale)");
      n.answer(1, html("catalog 8 left"));
      expect(await renderer).toBe("catalog 8 left");
      expect(await text(cache.get("/"))).toBe("catalog 8 left (hit)");

      // A render quicker than staleWaitMs is what a view that arrives during it gets.
      cache.invalidate();
      const renderer2 = text(cache.get("/"));
      const quick = text(cache.get("/"));
      n.answer(2, html("catalog 7 left"));
      expect([await renderer2, await quick]).toEqual(["catalog 7 left", "catalog 7 left"]);

      // A render that began before the last change and ends while a view waits: the view gets it,
      // the newest there is, not the one there was when it came.
      cache.invalidate();
      now = 200;
      const renderer4 = text(cache.get("/")); // render 3, begun after the change
      cache.invalidate();
      const waiting = text(cache.get("/")); // waits for render 3 and asks for one more after it
      n.answer(3, html("catalog 5 left"));
      expect(await renderer4).toBe("catalog 5 left");
      await vi.advanceTimersByTimeAsync(200);
      expect(await waiting).toBe("catalog 5 left (stale)");
      expect(n.renders()).toBe(5); // the render asked for after it
      n.answer(4, html("catalog 4 left"));
      await vi.advanceTimersByTimeAsync(0);
      expect(await text(cache.get("/"))).toBe("catalog 4 left (hit)");

      // A render 20 s old is sent too: in a rush a page renders back to back, for seconds each.
      cache.invalidate();
      now = 20_200;
      const starter = text(cache.get("/")); // render 5, for the views after this change
      const during = text(cache.get("/"));
      await vi.advanceTimersByTimeAsync(200);
      expect(await during).toBe("catalog 4 left (stale)");
      n.answer(5, html("catalog 4 left, 1 held"));
      expect(await starter).toBe("catalog 4 left, 1 held");

      // Never a render older than staleAtMostMs (30 s): the view waits for the new one.
      cache.invalidate();
      now = 50_201;
      const renderer3 = text(cache.get("/"));
      const late = text(cache.get("/"));
      await vi.advanceTimersByTimeAsync(1_000);
      n.answer(6, html("catalog 6 left"));
      expect([await renderer3, await late]).toEqual(["catalog 6 left", "catalog 6 left"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("an answer Next would not give every shopper (not 200, or a cookie) is sent to its views and never kept", async () => {
    const n = next();
    const cache = new PageCache({ render: n.render, maxAgeMs: 60_000 });
    const missing = text(cache.get("/products/no-such-thing"));
    n.answer(0, html("Not found", false));
    expect(await missing).toBe("Not found");
    expect(cache.size).toBe(0); // nothing kept of it: a bot's made-up paths push out no real page
    void cache.get("/products/no-such-thing");
    expect(n.renders()).toBe(2);
  });

  it("a failed render fails its views (they go to Next) and the next view renders again", async () => {
    const n = next();
    const cache = new PageCache({ render: n.render, maxAgeMs: 60_000 });
    const failed = cache.get("/");
    n.fail(0);
    await expect(failed).rejects.toThrow("Next failed");
    void cache.get("/");
    expect(n.renders()).toBe(2);
  });

  it("keeps at most maxPages pages, the oldest going first", async () => {
    const n = next();
    const cache = new PageCache({ render: n.render, maxAgeMs: 60_000, maxPages: 2 });
    for (const [i, path] of ["/products/a", "/products/b", "/products/c"].entries()) {
      const view = cache.get(path);
      n.answer(i, html(path));
      await view;
    }
    expect(cache.size).toBe(2);
    expect(await text(cache.get("/products/c"))).toBe("/products/c (hit)");
    void cache.get("/products/a");
    expect(n.renders()).toBe(4);
  });
});

describe("a shared render, compressed once", () => {
  it("is sent in Brotli or gzip to a browser that accepts it, else as Next wrote it", () => {
    // What Chromium sends over HTTPS and over plain HTTP, and what a client without one gets.
    expect(preferredEncoding("gzip, deflate, br, zstd")).toBe("br");
    expect(preferredEncoding("gzip, deflate")).toBe("gzip");
    expect(preferredEncoding(undefined)).toBeNull();
    expect(preferredEncoding("identity")).toBeNull();
    // q=0 refuses an encoding, by name or through "*".
    expect(preferredEncoding("br;q=0, gzip;q=0.5")).toBe("gzip");
    expect(preferredEncoding("br; q=0, *")).toBe("gzip");
    expect(preferredEncoding("*;q=0")).toBeNull();
    expect(preferredEncoding("GZIP")).toBe("gzip");
  });

  it("each encoding decodes to the bytes Next rendered", async () => {
    const page = Buffer.from(`<ul>${"<li>A product card, 12 left</li>".repeat(2_000)}</ul>`);
    const { br, gzip } = await encodeBody(page);
    expect(brotliDecompressSync(br as Buffer).equals(page)).toBe(true);
    expect(gunzipSync(gzip as Buffer).equals(page)).toBe(true);
    expect((br as Buffer).length).toBeLessThan(page.length / 20);
  });
});
