import type { EncodedBodies } from "../base/content-encoding";

/** A rendered page as the web server sends it again: status, headers and the whole body. */
export type RenderedPage = {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** The body compressed, for views that accept it (a page that is kept: lib/base/content-encoding.ts). */
  encoded?: EncodedBodies;
  /** Next set a cookie or answered other than 200: sent to the requests that waited for it, never kept. */
  keep: boolean;
};

/**
 * How a view was answered: "hit", a render of the page as it is now; "miss", a render this view
 * waited for; "stale", the newest render there is, because the one after a change took longer
 * than `staleWaitMs`.
 */
export type ViewSource = "hit" | "miss" | "stale";

export type PageCacheOptions = {
  /** Renders `path` as a browser without a cart would get it. */
  render: (path: string) => Promise<RenderedPage>;
  /** How long one render answers (the time shown in it moves on; a lost change message ends here). */
  maxAgeMs: number;
  /**
   * How long a view waits for the render after a change, when an earlier render of the page
   * (begun at most `staleAtMostMs` ago) could answer it instead.
   */
  staleWaitMs?: number;
  /**
   * The oldest render sent while a newer one is awaited: longer than a rush's renders take (in
   * `npm run drop` up to 5 s each, back to back), so in a rush a view is sent the last one rather
   * than wait for the next.
   */
  staleAtMostMs?: number;
  /** Pages kept at most (the oldest go first): the catalog and its products' pages fit many times. */
  maxPages?: number;
  now?: () => number;
};

type Render = { page: Promise<RenderedPage>; startedAt: number; generation: number };
type Finished = { page: RenderedPage; startedAt: number; generation: number };
type Queued = { page: Promise<RenderedPage>; start: () => void };

/** One path's renders: at most one in flight, and at most one more asked for after it. */
type Slot = { rendering: Render | null; queued: Queued | null; finished: Finished | null };

/**
 * The pages every shopper without a cart shares (lib/pages/shared-page.ts), each rendered once and
 * sent to every view until it is older than `maxAgeMs` or a stock or catalog change (`invalidate`)
 * ends it.
 *
 * A view that finds the page out of date and not rendering renders it and waits for it: on an
 * idle store every view after a change shows it. A page is never rendered twice at once: a view
 * that arrives while it renders waits for that render, or, when that render began before the last
 * change, for one more render after it (one, however many views ask). So in a rush, when every
 * hold is a change and a render waits seconds behind the adds, a process renders each page back to
 * back rather than once per view, and a view that arrives meanwhile waits at most `staleWaitMs`
 * before it is sent the newest render there is, if it began at most `staleAtMostMs` ago (a page
 * with JavaScript is brought up to date by its stock stream).
 */
export class PageCache {
  private readonly slots = new Map<string, Slot>();
  private readonly render: PageCacheOptions["render"];
  private readonly maxAgeMs: number;
  private readonly staleWaitMs: number;
  private readonly staleAtMostMs: number;
  private readonly maxPages: number;
  private readonly now: () => number;
  /** Bumped by every change: a render of an earlier generation is not the page as it is now. */
  private generation = 0;

  constructor({
    render,
    maxAgeMs,
    staleWaitMs = 200,
    staleAtMostMs = 30_000,
    maxPages = 1_000,
    now = () => performance.now(),
  }: PageCacheOptions) {
    this.render = render;
    this.maxAgeMs = maxAgeMs;
    this.staleWaitMs = staleWaitMs;
    this.staleAtMostMs = staleAtMostMs;
    this.maxPages = maxPages;
    this.now = now;
  }

  /** Pages kept or rendering now. */
  get size(): number {
    return this.slots.size;
  }

  /** The page at `path`, and where it came from. */
  async get(path: string): Promise<{ page: RenderedPage; source: ViewSource }> {
    const slot = this.slot(path);
    const last = slot.finished;
    if (last && last.generation === this.generation && this.now() - last.startedAt <= this.maxAgeMs) {
      return { page: last.page, source: "hit" };
    }
    // Not rendering: this view renders it and waits (the class's comment says why).
    if (!slot.rendering) return { page: await this.start(path, slot), source: "miss" };
    const fresh = this.freshRender(path, slot, slot.rendering);
    if (!this.servable(slot)) return { page: await fresh, source: "miss" };

    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<null>((resolve) => {
      timer = setTimeout(resolve, this.staleWaitMs, null);
    });
    fresh.catch(() => {}); // a render that fails after this view was sent an older page fails no one
    const page = await Promise.race([fresh, waited]).finally(() => clearTimeout(timer));
    if (page) return { page, source: "miss" };
    // Read again: a render may have finished while this view waited.
    const newest = this.servable(slot);
    return newest ? { page: newest.page, source: "stale" } : { page: await fresh, source: "miss" };
  }

  /** The newest render of the slot, if young enough to answer a view while a newer one is awaited. */
  private servable(slot: Slot): Finished | null {
    const newest = slot.finished;
    return newest && this.now() - newest.startedAt <= this.staleAtMostMs ? newest : null;
  }

  /** A stock or catalog change: every page rendered or rendering before it is out of date. */
  invalidate(): void {
    this.generation += 1;
  }

  /** The render that began after the last change: in flight, or asked for after the one in flight. */
  private freshRender(path: string, slot: Slot, rendering: Render): Promise<RenderedPage> {
    if (rendering.generation === this.generation) return rendering.page;
    slot.queued ??= this.queue(path, slot);
    return slot.queued.page;
  }

  private queue(path: string, slot: Slot): Queued {
    let start = () => {};
    const page = new Promise<RenderedPage>((resolve, reject) => {
      start = () => this.start(path, slot).then(resolve, reject);
    });
    return { page, start };
  }

  private start(path: string, slot: Slot): Promise<RenderedPage> {
    const render: Render = { page: this.render(path), startedAt: this.now(), generation: this.generation };
    slot.rendering = render;
    const done = () => {
      slot.rendering = null;
      const next = slot.queued;
      slot.queued = null;
      if (next) next.start();
      else if (!slot.finished && this.slots.get(path) === slot) this.slots.delete(path); // nothing to keep
    };
    render.page.then((page) => {
      const newer = !slot.finished || slot.finished.startedAt <= render.startedAt;
      if (page.keep && newer) slot.finished = { page, startedAt: render.startedAt, generation: render.generation };
      else if (!page.keep) slot.finished = null;
      done();
    }, done);
    return render.page;
  }

  private slot(path: string): Slot {
    let slot = this.slots.get(path);
    if (slot) {
      this.slots.delete(path); // re-inserted last: the Map's order is the age order eviction uses
    } else {
      slot = { rendering: null, queued: null, finished: null };
    }
    this.slots.set(path, slot);
    for (const [oldest, { rendering }] of this.slots) {
      if (this.slots.size <= this.maxPages) break;
      if (!rendering && oldest !== path) this.slots.delete(oldest);
    }
    return slot;
  }
}
