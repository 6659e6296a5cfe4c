import cluster from "node:cluster";
import { createServer, type IncomingMessage } from "node:http";
import path from "node:path";
import next from "next";
import { answerBusyDuringOutage } from "../lib/http/backend-outage";
import { clientAddress, clientKey } from "../lib/http/client-address";
import { capConnectionsPerClient } from "../lib/http/door/connection-cap";
import { countsTowardRate, publicFilePaths } from "../lib/http/door/counted-request";
import { createRateCheck } from "../lib/http/door/rate-limit";
import { doorRefusals, doorServed } from "../lib/http/door/door-metrics";
import { knownRefusal, knownAddRefusal } from "../lib/http/door/known-refusals";
import { refuseOverRate, writeRefusal } from "../lib/http/door/refusal";
import { isStockStream, serveStockStream } from "../lib/http/door/stock-stream";
import { isHoldRead, serveHoldRead } from "../lib/http/door/hold-read";
import { isLineRead, serveLineRead } from "../lib/http/door/line-read";
import { isLineJoin, serveLineJoin } from "../lib/http/door/line-join";
import { serveStaticFile, staticFileFor, staticFiles } from "../lib/http/door/static-files";
import { declaredBodyProblem, originForm, requestLineProblem } from "../lib/http/raw-request";
import { startWebProcessMetrics } from "../lib/metrics/web-process";
import { redis } from "../lib/redis/client";
import { config } from "../lib/base/config";
import { runCli } from "./cli";
import { superviseWebProcesses } from "./web-cluster";
import { acceptFromPrimary, LISTEN_BACKLOG } from "./shared-port";
import { WEB_SERVER_MARK } from "../lib/base/web-server-mark";
import { log } from "../lib/base/log";
import { ShopError } from "../lib/base/shop-error";
import { endEveryStream } from "../lib/streams/open-streams";
import { withPageCache } from "../lib/pages/shared-pages";
import { logNextErrorsAsLines } from "../lib/http/next-error-log";

/**
 * The production web server: Next's request handler behind a plain Node HTTP server, so every
 * request names its client by what the client cannot choose. Next itself only fills in
 * X-Forwarded-For when it is missing, which lets any client name itself; here the header is
 * always overwritten with the one address `TRUSTED_PROXY_HOPS` designates (lib/http/client-address.ts).
 * It is also the door (lib/http/door/): what it refuses never reaches Next, so a refusal costs a
 * small fraction of a served request. With WEB_CONCURRENCY above 1 it runs that many of itself
 * on one port (scripts/web-cluster.ts).
 */
runCli(async () => {
  const { webConcurrency } = config();
  if (cluster.isPrimary && webConcurrency > 1) await superviseWebProcesses(webConcurrency, config().port);
  else await serve();
});

async function serve(): Promise<void> {
  const {
    port,
    trustedProxyHops,
    rateLimit,
    maxConnectionsPerClient,
    headersTimeoutMs,
    requestTimeoutMs,
    pageCacheMs,
  } = config();
  (globalThis as Record<symbol, unknown>)[WEB_SERVER_MARK] = true;
  const app = next({ dev: false, port, hostname: "0.0.0.0" });
  await app.prepare();
  // After the start-up checks (instrumentation.ts), which print to stderr and exit.
  logNextErrorsAsLines();
  startWebProcessMetrics();
  // Catalog and product page views without a cart: one render shared until the stock changes.
  // Behind the door: a shared view still counts against its client's rate.
  const handle = await withPageCache(app.getRequestHandler(), { maxAgeMs: pageCacheMs });

  const store = redis();
  // The store's connection is lazy; the door, which only counts while it is ready, opens it.
  if (store.status === "wait") store.connect().catch(() => {});
  const overLimit = rateLimit ? createRateCheck(store, rateLimit) : null;
  const publicFiles = publicFilePaths(path.join(process.cwd(), "public"));
  const files = staticFiles(process.cwd());
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
  const server = createServer(
    // Sockets past headersTimeout / requestTimeout are looked for every second, not every 30 s.
    { connectionsCheckingInterval: 1_000 },
    (req, res) => {
      // Counted until its answer is done or its connection gone: a stopping process waits for it.
      inFlight += 1;
      res.once("close", () => {
        inFlight -= 1;
        if (stopping && inFlight === 0) exit();
      });
      // Stopping: this request is answered, and its connection closed after it.
      if (stopping) res.setHeader("connection", "close");
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
        requestLineProblem(req.method ?? "GET", req.url) ??
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
      const file = staticFileFor(files, req.method, req.url);
      if (file) {
        served.static_file.inc();
        return serveStaticFile(req, res, file);
      }
      // A page (not the JSON API, which answers 503 itself) that fails to render while Postgres
      // or Redis is unavailable says the store is busy for a moment: 503, not Next's 500.
      if (!req.url.startsWith("/api/")) answerBusyDuringOutage(res);
      const client = clientKey(nameClient(req));
      // Admitted by the rate: answered by Next, unless the door already knows the route's refusal
      // or serves the request itself (the live stock stream, reading and joining the line: the
      // requests every waiting shopper's page makes; the read of the hold a shared page makes),
      // which need nothing of Next's.
      const admit = () => {
        const known = knownRefusal(req.method, req.url ?? "/", req.headers, client);
        if (known) {
          refusals[known.reason].inc();
          return writeRefusal(res, known.refusal);
        }
        if (isStockStream(req.method, req.url ?? "/")) {
          served.stock_stream.inc();
          return serveStockStream(req, res, client);
        }
        if (isHoldRead(req.method, req.url ?? "/")) {
          served.hold_read.inc();
          return serveHoldRead(req, res);
        }
        if (isLineRead(req.method, req.url ?? "/")) {
          served.line_read.inc();
          return serveLineRead(req, res);
        }
        if (isLineJoin(req.method, req.url ?? "/")) {
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
      if (!overLimit || !countsTowardRate(req.url ?? "/", publicFiles)) return admit();
      const overRate = (retryAfter: number) => {
        refusals.over_rate.inc();
        refuseOverRate(res, retryAfter);
      };
      const verdict = overLimit(client);
      if (typeof verdict === "number") overRate(verdict);
      else if (verdict === null) admit();
      else void verdict.then((retryAfter) => (retryAfter === null ? admit() : overRate(retryAfter)));
    },
  );
  let stopping = false;
  let inFlight = 0;
  let exiting = false;
  const exit = () => {
    if (exiting) return;
    exiting = true;
    void app.close().finally(() => process.exit(0));
  };
  server.headersTimeout = headersTimeoutMs;
  // Bounds receiving the request only: a stock stream's response runs as long as it needs.
  server.requestTimeout = requestTimeoutMs;
  // Longer than a load balancer's idle timeout (often 60 s), so it never reuses a closed socket.
  server.keepAliveTimeout = 65_000;
  // Behind our own proxies every connection comes from one of them: they bound connections.
  if (maxConnectionsPerClient > 0 && trustedProxyHops === 0) {
    capConnectionsPerClient(server, maxConnectionsPerClient, (socket) => clientKey(socket.remoteAddress ?? ""));
  }
  // In a cluster, several descriptors of the primary's socket (scripts/shared-port.ts); alone, the port.
  const stopAccepting = cluster.isWorker
    ? await acceptFromPrimary(server)
    : await new Promise<() => void>((resolve) =>
        server.listen({ port, backlog: LISTEN_BACKLOG }, () => resolve(() => {})),
      );
  log.info("web_listening", {
    url: `http://localhost:${port}`,
    pid: process.pid,
    client: describeHops(trustedProxyHops),
    rateLimit: rateLimit ? `${rateLimit.perSecond}/s, burst ${rateLimit.burst}` : "off",
  });

  // Draining: no new connection is accepted, idle ones close, open event streams end (their pages
  // reconnect to another process), and every request in flight is answered, its connection closed
  // after it; once none is left, or after DRAIN_MS, the process exits. (Counted here, not by the
  // server's 'close': connections accepted on the cluster's other descriptors are not the server's.)
  const stop = () => {
    // Once: under a terminal's Ctrl-C both the cluster's primary and this process are signalled.
    if (stopping) return;
    stopping = true;
    stopAccepting();
    server.close();
    server.closeIdleConnections();
    const streams = endEveryStream();
    log.info("web_draining", { pid: process.pid, streams, inFlight });
    if (inFlight === 0) exit();
    setTimeout(() => {
      server.closeAllConnections();
      exit();
    }, DRAIN_MS).unref();
    setTimeout(() => process.exit(0), DRAIN_MS + 2_000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  await new Promise(() => {}); // runs until a signal stops it
}

const ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
/** How long a stopping web process waits for its requests in flight (the supervisors kill at 10 s). */
const DRAIN_MS = 8_000;

function describeHops(hops: number): string {
  return hops === 0 ? "the socket's peer address" : `X-Forwarded-For entry ${hops} from the right`;
}
