import "server-only";
import { randomBytes } from "node:crypto";
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { onStockChanges } from "../hold/stock-feed";
import { log, reason } from "../base/log";
import { PageCache, type RenderedPage, type ViewSource } from "./page-cache";
import { pageMetrics } from "./page-metrics";
import { bodyFor, encodeBody } from "../base/content-encoding";
import { READ_HOLD_COOKIE } from "../http/cookie-names";
import { renderRequest, sharedView } from "./shared-page";

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** A render slower than this is given up: the views waiting for it are rendered by Next one by one. */
const RENDER_TIMEOUT_MS = 10_000;
/** Headers of a render that belong to its own connection, not to the page. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "date", "content-length"]);
const RENDER_HEADER = "x-holdcart-render";

/**
 * Wraps Next's request handler so that a page view every shopper can share (the catalog, a
 * product page: lib/pages/shared-page.ts) costs about what sending its bytes costs:
 * the page is rendered by Next once, as a browser without cookies gets it, and that render answers
 * every such view for `maxAgeMs` (PAGE_CACHE_MS). Any stock message (a hold, a release, a restock,
 * a line that moved, a catalog change), from whichever process or machine published it, ends every
 * render at once: each process hears them on its one Redis subscription (lib/hold/stock-feed.ts).
 * The view after a change waits for a render begun after it, for up to 200 ms; past that (a rush,
 * when every hold is a change and renders queue behind adds) it is sent the newest render there is,
 * its stock a render behind, marked `x-page-cache: stale` (lib/pages/page-cache.ts). It is the whole
 * page as Next renders it, stock and times included, with or without JavaScript, compressed once
 * for the browsers that accept Brotli or gzip (lib/base/content-encoding.ts).
 *
 * A shopper with a cart or a place in line whose browser runs the pages' script is sent the same
 * render, with a short-lived cookie that has their page read their hold after hydrating
 * (components/cart/shared-render.ts); without scripts they get their own render, the hold in its
 * HTML. A client navigation to such a page (Next's RSC request) by a browser that holds nothing
 * shares the payload Next renders for it with every navigation that asks the same way. Views with
 * a form's message, and every other request, go to Next as before. The renders
 * go to Next over a loopback socket of this process only, so they pass through exactly the code a
 * browser's request does, from the same build.
 */
export async function withPageCache(handle: Handler, { maxAgeMs }: { maxAgeMs: number }): Promise<Handler> {
  if (maxAgeMs <= 0) return handle;
  const render = await loopbackRenderer(handle);
  const { viewed, rendered } = pageMetrics();
  const cache = new PageCache({
    render: (key) => {
      rendered.inc();
      return render(renderRequest(key));
    },
    maxAgeMs,
  });
  onStockChanges(() => cache.invalidate());
  return (req, res) => {
    const view = sharedView(req.method, req.url, req.headers);
    if (view === null) return handle(req, res);
    return cache.get(view.key).then(
      ({ page, source }) => {
        viewed[source].inc();
        send(req, res, page, source, view.own);
      },
      (error: unknown) => {
        log.warn("page_render_failed", { path: view.url, error: reason(error), then: "rendering it for this view" });
        return handle(req, res);
      },
    );
  };
}

/** Tells the page of a shopper who holds something to read it (components/cart/shared-render.ts); a minute is ample for its script to run. */
const READ_HOLD = `${READ_HOLD_COOKIE}=1; Path=/; Max-Age=60; SameSite=Lax`;

function send(req: IncomingMessage, res: ServerResponse, page: RenderedPage, source: ViewSource, own: boolean): void {
  const { body, encoding } = bodyFor(req.headers["accept-encoding"], page.body, page.encoded);
  res.writeHead(page.status, {
    ...page.headers,
    ...(page.encoded ? { vary: varyOnEncoding(page.headers.vary) } : {}),
    ...(encoding ? { "content-encoding": encoding } : {}),
    "content-length": String(body.length),
    "x-page-cache": source,
    ...(own ? { "set-cookie": READ_HOLD } : {}),
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** Next's Vary with Accept-Encoding added: a cache in front keeps each encoding apart. */
function varyOnEncoding(vary: string | string[] | undefined): string {
  const named = [vary ?? []].flat().join(", ");
  return named ? `${named}, Accept-Encoding` : "Accept-Encoding";
}

/**
 * Renders a path by asking Next for it on a server of this process bound to the loopback address
 * (`exclusive`, so under node's cluster each process renders its own pages). It answers only
 * requests that carry this process's random token.
 */
async function loopbackRenderer(
  handle: Handler,
): Promise<(asked: { url: string; headers: Record<string, string> }) => Promise<RenderedPage>> {
  const token = randomBytes(16).toString("hex");
  const server = createServer((req, res) => {
    if (req.headers[RENDER_HEADER] !== token) {
      res.writeHead(404).end();
      return;
    }
    delete req.headers[RENDER_HEADER];
    void handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  return ({ url, headers }) =>
    new Promise<RenderedPage>((resolve, reject) => {
      const call = request(
        {
          host: "127.0.0.1",
          port,
          path: url,
          agent,
          timeout: RENDER_TIMEOUT_MS,
          headers: { ...headers, [RENDER_HEADER]: token },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", reject);
          response.on("end", () => renderedPage(response, Buffer.concat(chunks)).then(resolve, reject));
        },
      );
      call.on("timeout", () => call.destroy(new Error(`rendering ${url} took over ${RENDER_TIMEOUT_MS} ms`)));
      call.on("error", reject);
      call.end();
    });
}

async function renderedPage(response: IncomingMessage, body: Buffer): Promise<RenderedPage> {
  const headers: RenderedPage["headers"] = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  const status = response.statusCode ?? 500;
  const keep = status === 200 && headers["set-cookie"] === undefined;
  // Compressed once here, for the many views it answers; an answer not kept goes out as it is.
  const encode = keep && headers["content-encoding"] === undefined;
  return { status, headers, body, keep, ...(encode ? { encoded: await encodeBody(body) } : {}) };
}
