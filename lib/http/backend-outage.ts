import type { ServerResponse } from "node:http";

/**
 * How recently this process must have seen Postgres or Redis unavailable for a page that failed to
 * render to be answered "busy" (503) instead of an error (500).
 */
const OUTAGE_WINDOW_MS = 15_000;
/** What a busy page asks: its own reload, and any client's retry, after this many seconds. */
const RETRY_AFTER_S = 5;

// On globalThis: Next's bundle (routes, instrumentation.ts) notes an outage, the web server's
// (scripts/web-server.ts) reads it, and each has its own copy of this module.
const seen = globalThis as unknown as { __holdcartBackendUnavailableAt?: number };

/** A request of this process found Postgres or Redis unavailable (a route's 503, a failed render). */
export function noteBackendUnavailable(): void {
  seen.__holdcartBackendUnavailableAt = Date.now();
}

const inOutage = () => Date.now() - (seen.__holdcartBackendUnavailableAt ?? -Infinity) <= OUTAGE_WINDOW_MS;

/** A page of its own, so it needs nothing the outage took away: no data, no script, no stylesheet. */
const BUSY_PAGE = Buffer.from(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${RETRY_AFTER_S}"><title>Busy for a moment · Holdcart</title>
<style>body{font-family:system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#fafaf9;color:#1c1917}main{max-width:32rem;padding:2rem}h1{font-size:1.5rem;margin:0 0 .75rem}p{line-height:1.5;margin:0 0 .75rem}a{color:#1d4ed8}</style>
</head><body><main><h1>The store is busy for a moment</h1>
<p>We could not load this page just now. It tries again by itself in a few seconds, or you can <a href="">try again now</a>.</p></main></body></html>
`);
const BUSY_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-length": String(BUSY_PAGE.length),
  "retry-after": String(RETRY_AFTER_S),
  "cache-control": "no-store",
};

type Callback = (error?: Error | null) => void;
const callbackIn = (args: unknown[]) => args.find((a): a is Callback => typeof a === "function");

/**
 * Answers a page request that Next failed to render while the store's backends are unavailable
 * (a Postgres failover, Redis restarting) with 503, `Retry-After` and a page that says the store
 * is busy for a moment and reloads itself, instead of Next's 500. Decided when the response's
 * status is about to be sent; a failure with the backends up stays the 500 it is.
 */
export function answerBusyDuringOutage(res: ServerResponse): void {
  const writeHead = res.writeHead.bind(res);
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  let busy = false;
  const failedInOutage = (status: number) => !busy && !res.headersSent && status >= 500 && inOutage();
  const answerBusy = () => {
    busy = true;
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    writeHead(503, BUSY_HEADERS);
    end(res.req?.method === "HEAD" ? undefined : BUSY_PAGE);
  };
  // Next's own writes after the busy page are dropped; their callbacks still run.
  const dropped = (args: unknown[]) => {
    const callback = callbackIn(args);
    if (callback) process.nextTick(callback);
  };
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    if (busy) return res;
    if (failedInOutage(status)) {
      answerBusy();
      return res;
    }
    return (writeHead as (...a: unknown[]) => ServerResponse)(status, ...rest);
  }) as ServerResponse["writeHead"];
  // write and end: the busy page instead, once the status they would send is a failure in an outage.
  const unlessBusy =
    <R>(send: (...a: unknown[]) => R, answeredBusy: R) =>
    (...args: unknown[]): R => {
      if (failedInOutage(res.statusCode)) answerBusy();
      if (!busy) return send(...args);
      dropped(args);
      return answeredBusy;
    };
  res.write = unlessBusy(write as (...a: unknown[]) => boolean, true) as ServerResponse["write"];
  res.end = unlessBusy(end as (...a: unknown[]) => ServerResponse, res) as ServerResponse["end"];
}
