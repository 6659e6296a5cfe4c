/**
 * HTTP as one client of the drop sees it: every request leaves from the client's own loopback
 * address (`localAddress`; Linux routes all of 127/8 to lo), so the store, which trusts no
 * X-Forwarded-For (TRUSTED_PROXY_HOPS=0), counts each shopper and each bot as a machine of its
 * own; a cookie jar like a browser's; and every answer recorded for the report.
 */
import { Agent, request, type ClientRequest, type IncomingMessage } from "node:http";
import { gunzipSync } from "node:zlib";

export type Actor = "shopper" | "bot";
export type Kind =
  "page" | "reload" | "add" | "join" | "leave" | "waitlist" | "cart" | "extend" | "checkout" | "stream";

/** One answer (or a transport failure: status 0, code the error's). Times from performance.now(). */
export type Outcome = {
  actor: Actor;
  kind: Kind;
  status: number;
  code: string | null;
  ms: number;
  at: number;
  /** The answer said when to try again (Retry-After): what a 503 must say. */
  retryAfter: boolean;
};

// Answers are read by shape, as a page's script would read them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Reply = { status: number; code: string | null; body: any; ms: number; retryAfterS: number | null };

const REQUEST_TIMEOUT_MS = 30_000;

/** A page asked for as a browser asks over plain HTTP (Brotli it asks for over HTTPS only). */
export const PAGE_HEADERS = { accept: "text/html", "accept-encoding": "gzip, deflate" };
const KEEP_SERVER_ERRORS = 20;

/** Every answer of the sale, and the first few 5xx bodies to show what went wrong. */
export class Recorder {
  readonly outcomes: Outcome[] = [];
  readonly serverErrors: { kind: Kind; status: number; body: string }[] = [];

  record(outcome: Outcome, body: string): void {
    this.outcomes.push(outcome);
    if (outcome.status >= 500 && this.serverErrors.length < KEEP_SERVER_ERRORS) {
      this.serverErrors.push({ kind: outcome.kind, status: outcome.status, body: body.slice(0, 300) });
    }
  }
}

export class HttpClient {
  private readonly jar = new Map<string, string>();
  // Keep-alive, like a browser: one client reuses its connections instead of a handshake each time.
  private readonly agent: Agent;
  private readonly open = new Set<ClientRequest>();

  constructor(
    private readonly base: string,
    readonly address: string,
    private readonly actor: Actor,
    private readonly recorder: Recorder,
    maxSockets = 2,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** A cookie's value (`waiter` holds the waiter id before its signature). */
  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  /** Forgets every cookie: the next add starts a new cart (what a bot does to open many). */
  forgetCookies(): void {
    this.jar.clear();
  }

  /** Puts back a cookie kept aside (a bot returning to one of its carts). */
  setCookie(name: string, value: string): void {
    this.jar.set(name, value);
  }

  async call(
    kind: Kind,
    method: string,
    path: string,
    {
      body,
      headers = {},
      signal,
    }: {
      body?: unknown;
      headers?: Record<string, string>;
      /** The page going away (a long poll it stops waiting on): the request is dropped, unrecorded. */
      signal?: AbortSignal;
    } = {},
  ): Promise<Reply> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const started = performance.now();
    const dropped: Reply = { status: 0, code: "dropped", body: null, ms: 0, retryAfterS: null };
    if (signal?.aborted) return dropped;
    let abandoned = false;
    const done = (status: number, code: string | null, text: string, retryAfterS: number | null): Reply => {
      const ms = performance.now() - started;
      if (!abandoned)
        this.recorder.record(
          { actor: this.actor, kind, status, code, ms, at: performance.now(), retryAfter: retryAfterS !== null },
          text,
        );
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      return { status, code, body: parsed, ms, retryAfterS };
    };
    return new Promise<Reply>((resolve) => {
      const req = request(
        `${this.base}${path}`,
        {
          method,
          agent: this.agent,
          localAddress: this.address,
          timeout: REQUEST_TIMEOUT_MS,
          headers: {
            ...(payload ? { "content-type": "application/json" } : {}),
            ...(this.jar.size > 0 ? { cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ") } : {}),
            ...headers,
          },
        },
        (res) => {
          this.keepCookies(res);
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const raw = Buffer.concat(chunks);
            const text = (res.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString("utf8");
            const status = res.statusCode ?? 0;
            const retry = Number(res.headers["retry-after"]);
            resolve(done(status, status >= 400 ? errorCode(text) : null, text, Number.isFinite(retry) ? retry : null));
          });
          res.on("error", (error) => resolve(done(0, error.message, "", null)));
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (error: NodeJS.ErrnoException) => resolve(done(0, error.code ?? error.message, "", null)));
      const drop = () => {
        abandoned = true;
        req.destroy();
        resolve(dropped);
      };
      signal?.addEventListener("abort", drop, { once: true });
      req.on("close", () => signal?.removeEventListener("abort", drop));
      req.end(payload);
    });
  }

  /**
   * Opens the live stock stream as a page does (its own connection, with the client's cookies, so
   * the waiter's offers ride on it). Resolves once the answer's headers arrived (any status).
   */
  stream(
    path: string,
    onOffer: () => void,
    onEnd: () => void = () => {},
  ): Promise<{ status: number; close: () => void }> {
    const started = performance.now();
    return new Promise((resolve) => {
      const req = request(`${this.base}${path}`, {
        agent: false,
        localAddress: this.address,
        headers: {
          accept: "text/event-stream",
          ...(this.jar.size > 0 ? { cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ") } : {}),
        },
      });
      this.open.add(req);
      let closedByUs = false;
      const close = () => {
        closedByUs = true;
        this.open.delete(req);
        req.destroy();
      };
      req.on("response", (res) => {
        const status = res.statusCode ?? 0;
        this.recorder.record(
          {
            actor: this.actor,
            kind: "stream",
            status,
            code: null,
            ms: performance.now() - started,
            at: performance.now(),
            retryAfter: res.headers["retry-after"] !== undefined,
          },
          "",
        );
        res.setEncoding("utf8");
        let buffer = "";
        res.on("data", (chunk: string) => {
          buffer += chunk;
          for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (block.split("\n").some((line) => line.trim() === "event: offer")) onOffer();
          }
        });
        res.on("error", () => {});
        // Ended by the server (or the network), not by the page: the page's EventSource reconnects.
        res.on("close", () => {
          this.open.delete(req);
          if (!closedByUs && status === 200) onEnd();
        });
        resolve({ status, close });
      });
      req.on("error", (error: NodeJS.ErrnoException) => {
        this.open.delete(req);
        this.recorder.record(
          {
            actor: this.actor,
            kind: "stream",
            status: 0,
            code: error.code ?? error.message,
            ms: 0,
            at: performance.now(),
            retryAfter: false,
          },
          "",
        );
        resolve({ status: 0, close: () => {} });
      });
      req.end();
    });
  }

  /**
   * A stream opened and abandoned, as a bot does by the hundred: dropped right after the
   * request was sent (`early`), or as soon as the answer's headers arrive. Resolves with the
   * status seen (0 when dropped before any answer).
   */
  abandonStream(path: string, early: boolean, headers: Record<string, string> = {}): Promise<number> {
    return new Promise((resolve) => {
      const req = request(`${this.base}${path}`, {
        agent: false,
        localAddress: this.address,
        headers: { accept: "text/event-stream", ...headers },
      });
      req.on("error", () => resolve(0));
      req.on("response", (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        this.recorder.record(
          {
            actor: this.actor,
            kind: "stream",
            status,
            code: null,
            ms: 0,
            at: performance.now(),
            retryAfter: res.headers["retry-after"] !== undefined,
          },
          "",
        );
        req.destroy();
        resolve(status);
      });
      req.end();
      if (early) setTimeout(() => req.destroy(), 5);
    });
  }

  /** Ends every connection of this client (open streams included). */
  close(): void {
    for (const req of this.open) req.destroy();
    this.open.clear();
    this.agent.destroy();
  }

  private keepCookies(res: IncomingMessage): void {
    for (const line of res.headers["set-cookie"] ?? []) {
      const [pair = "", ...attributes] = line.split(";");
      const at = pair.indexOf("=");
      if (at <= 0) continue;
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (!value || expired) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }
}

/** The `error.code` of the API's error shape, or null. */
function errorCode(text: string): string | null {
  try {
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    return typeof code === "string" ? code : null;
  } catch {
    return null;
  }
}
