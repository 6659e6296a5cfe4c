/** A rendered page as the web server sends it again: status, headers and the whole body. */
export type RenderedPage = {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** Next set a cookie or answered other than 200: sent to the requests that waited for it, never kept. */
  keep: boolean;
};

export type PageCacheOptions = {
  /** Renders `path` as a browser without a cart would get it. */
  render: (path: string) => Promise<RenderedPage>;
  /** How long one render answers (the time shown in it moves on; a lost change message ends here). */
  maxAgeMs: number;
  /** Pages kept at most (the oldest go first): the catalog and its products' pages fit many times. */
  maxPages?: number;
  now?: () => number;
};

type Entry = { page: Promise<RenderedPage>; renderedAt: number; settled: boolean };

/**
 * The pages every shopper without a cart shares (lib/pages/shared-page.ts), each rendered once and
 * sent to every view until it is older than `maxAgeMs` or a stock or catalog change (`invalidate`)
 * ends it. Views that arrive while a page renders wait for that render (one render per page at a
 * time, however many views). A render that began before a change is sent to the views that were
 * already waiting for it, but never kept: the next view renders the page again.
 */
export class PageCache {
  private readonly entries = new Map<string, Entry>();
  private readonly render: PageCacheOptions["render"];
  private readonly maxAgeMs: number;
  private readonly maxPages: number;
  private readonly now: () => number;

  constructor({ render, maxAgeMs, maxPages = 1_000, now = () => performance.now() }: PageCacheOptions) {
    this.render = render;
    this.maxAgeMs = maxAgeMs;
    this.maxPages = maxPages;
    this.now = now;
  }

  /** Pages kept or rendering now. */
  get size(): number {
    return this.entries.size;
  }

  /** The page at `path`, and whether it came from an earlier render ("hit") or this view's ("miss"). */
  async get(path: string): Promise<{ page: RenderedPage; hit: boolean }> {
    const entry = this.entries.get(path);
    // A render in flight is always joined: a page slower to render than maxAgeMs must not start
    // a render per view (each would be older than maxAgeMs by the time it is done).
    if (entry && (!entry.settled || this.now() - entry.renderedAt <= this.maxAgeMs)) {
      const hit = entry.settled; // a view that waited for the render is counted with it
      return { page: await entry.page, hit };
    }
    return { page: await this.start(path), hit: false };
  }

  /** A stock or catalog change: every page rendered or rendering before it is done with. */
  invalidate(): void {
    this.entries.clear();
  }

  private start(path: string): Promise<RenderedPage> {
    const entry: Entry = { page: this.render(path), renderedAt: this.now(), settled: false };
    this.entries.delete(path); // re-inserted last: the Map's order is the age order eviction uses
    this.entries.set(path, entry);
    const forget = () => {
      if (this.entries.get(path) === entry) this.entries.delete(path);
    };
    entry.page.then((page) => {
      entry.settled = true;
      if (!page.keep) forget();
    }, forget);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxPages) break;
      this.entries.delete(oldest);
    }
    return entry.page;
  }
}
