import "server-only";
import path from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ShopError } from "../../base/shop-error";
import { answerBusyDuringOutage } from "../backend-outage";
import { clientAddress, clientKey } from "../client-address";
import { declaredBodyProblem, originForm, requestLineProblem } from "../raw-request";
import { countsTowardRate, publicFilePaths } from "./counted-request";
import { doorRefusals, doorServed } from "./door-metrics";
import { isHoldRead, serveHoldRead } from "./hold-read";
import { knownAddRefusal, knownRefusal } from "./known-refusals";
import { isLineJoin, serveLineJoin } from "./line-join";
import { isLineRead, serveLineRead } from "./line-read";
import type { RateCheck } from "./rate-limit";
import { refuseOverRate, writeRefusal } from "./refusal";
import { serveStaticFile, staticFileFor, staticFiles } from "./static-files";
import { isStockStream, serveStockStream } from "./stock-stream";

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

export type DoorOptions = {
  /** What the door lets in and does not answer itself: Next's handler, the shared pages in front. */
  handle: Handler;
  /** The per-client rate (lib/http/door/rate-limit.ts), or null when RATE_LIMIT_PER_SECOND is 0. */
  overLimit: RateCheck | null;
  /** TRUSTED_PROXY_HOPS: which X-Forwarded-For entry names the client (lib/http/client-address.ts). */
  trustedProxyHops: number;
  /** The app's folder: the build's static files and those of public/ are read from it once, here. */
  root: string;
};

/**
 * The door: every request to the production web server meets it before Next, so that what it
 * refuses or answers itself costs a small fraction of a request Next answers. In order:
 * - a request for another host, one Next would answer with a 500 before any route runs (TRACE,
 *   a broken % escape), or one whose body is too long or of no declared length: refused before
 *   the body is read;
 * - the build's scripts and styles and the files of public/: sent from memory, never counted;
 * - the client named by what it cannot choose (X-Forwarded-For overwritten), and counted against
 *   its rate: over it, 429 `rate_limited`, held back (lib/http/door/refusal.ts);
 * - admitted: a refusal the door already knows (a new cart past its limit, an add of a product
 *   whose units are all in carts), or a request it serves itself (the stock stream, the read of
 *   the hold, reading and joining the line: what every waiting shopper's page asks for), else Next.
 */
export function door({ handle, overLimit, trustedProxyHops, root }: DoorOptions): Handler {
  const publicFiles = publicFilePaths(path.join(root, "public"));
  const files = staticFiles(root);
  const refusals = doorRefusals();
  const served = doorServed();

  const nameClient = (req: IncomingMessage): string => {
    const forwarded = req.headers["x-forwarded-for"];
    const chain = Array.isArray(forwarded) ? forwarded.join(",") : forwarded;
    const address = clientAddress(req.socket.remoteAddress, chain, trustedProxyHops);
    req.headers["x-forwarded-for"] = address;
    // Which host and scheme the client reached: only the operator's proxies may say so; a client
    // facing this server directly would pass the cross-site check by naming its own site.
    if (trustedProxyHops === 0) {
      delete req.headers["x-forwarded-host"];
      delete req.headers["x-forwarded-proto"];
    }
    return address;
  };

  return (req, res) => {
    // An absolute-form target is answered for this host only, in origin form.
    const target = originForm(req.url ?? "/", req.headers.host);
    if (target === null) {
      writeRefusal(res, new ShopError("invalid_request", "This server answers for its own host only."));
      return;
    }
    req.url = target;
    // What Next would answer with a 500 before any route runs (TRACE, a broken % escape), and a
    // body too long to take or of no declared length: refused before it is read, the connection
    // closed after the answer, so a stalled upload holds no buffer.
    const problem =
      requestLineProblem(req.method ?? "GET", target) ??
      declaredBodyProblem(req.method ?? "GET", req.headers["content-length"], req.headers["transfer-encoding"]);
    if (problem) {
      const close = problem.code === "payload_too_large" || problem.code === "length_required";
      writeRefusal(res, problem, {
        ...(problem.code === "method_not_allowed" ? { allow: ALLOWED_METHODS } : {}),
        ...(close ? { connection: "close" } : {}),
      });
      if (close) req.socket.destroySoon();
      return;
    }
    // The build's scripts and styles and the files of public/, from memory (never counted).
    const file = staticFileFor(files, req.method, target);
    if (file) {
      served.static_file.inc();
      return serveStaticFile(req, res, file);
    }
    // A page (not the JSON API, which answers 503 itself) that fails to render while Postgres
    // or Redis is unavailable says the store is busy for a moment: 503, not Next's 500.
    if (!target.startsWith("/api/")) answerBusyDuringOutage(res);
    const client = clientKey(nameClient(req));
    // Admitted by the rate: answered by Next, unless the door already knows the route's refusal
    // or serves the request itself (the live stock stream, reading and joining the line: the
    // requests every waiting shopper's page makes; the read of the hold a shared page makes),
    // which need nothing of Next's.
    const admit = () => {
      const known = knownRefusal(req.method, target, req.headers, client);
      if (known) {
        refusals[known.reason].inc();
        return writeRefusal(res, known.refusal);
      }
      if (isStockStream(req.method, target)) {
        served.stock_stream.inc();
        return serveStockStream(req, res, client);
      }
      if (isHoldRead(req.method, target)) {
        served.hold_read.inc();
        return serveHoldRead(req, res);
      }
      if (isLineRead(req.method, target)) {
        served.line_read.inc();
        return serveLineRead(req, res);
      }
      if (isLineJoin(req.method, target)) {
        served.line_join.inc();
        return serveLineJoin(req, res, client);
      }
      const addRefusal = knownAddRefusal(req);
      if (!addRefusal) return void handle(req, res);
      void addRefusal.then((decided) => {
        if ("forNext" in decided) return handle(decided.forNext, res);
        refusals[decided.reason].inc();
        writeRefusal(res, decided.refusal);
      });
    };
    if (!overLimit || !countsTowardRate(target, publicFiles)) return admit();
    const overRate = (retryAfter: number) => {
      refusals.over_rate.inc();
      refuseOverRate(res, retryAfter);
    };
    const verdict = overLimit(client);
    if (typeof verdict === "number") overRate(verdict);
    else if (verdict === null) admit();
    else void verdict.then((retryAfter) => (retryAfter === null ? admit() : overRate(retryAfter)));
  };
}

const ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
