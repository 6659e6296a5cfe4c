import cluster from "node:cluster";
import { createServer } from "node:http";
import next from "next";
import { clientKey } from "../lib/http/client-address";
import { capConnectionsPerClient } from "../lib/http/door/connection-cap";
import { door } from "../lib/http/door/door";
import { createRateCheck } from "../lib/http/door/rate-limit";
import { startWebProcessMetrics } from "../lib/metrics/web-process";
import { redis } from "../lib/redis/client";
import { config } from "../lib/base/config";
import { runCli } from "./cli";
import { superviseWebProcesses } from "./web-cluster";
import { acceptFromPrimary, LISTEN_BACKLOG } from "./shared-port";
import { WEB_SERVER_MARK } from "../lib/base/web-server-mark";
import { log } from "../lib/base/log";
import { endEveryStream } from "../lib/streams/open-streams";
import { withPageCache } from "../lib/pages/shared-pages";
import { logNextErrorsAsLines } from "../lib/http/next-error-log";

/**
 * The production web server: Next's request handler behind a plain Node HTTP server, so every
 * request names its client by what the client cannot choose. Next itself only fills in
 * X-Forwarded-For when it is missing, which lets any client name itself; here the header is
 * always overwritten with the one address `TRUSTED_PROXY_HOPS` designates (lib/http/client-address.ts).
 * Every request meets the door first (lib/http/door/door.ts): what it refuses or answers itself
 * never reaches Next, so it costs a small fraction of a request Next answers. Here: the process,
 * its connections' timeouts and caps, and draining on SIGTERM. With WEB_CONCURRENCY above 1 it
 * runs that many of itself on one port (scripts/web-cluster.ts).
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
  const enter = door({
    handle,
    overLimit: rateLimit ? createRateCheck(store, rateLimit) : null,
    trustedProxyHops,
    root: process.cwd(),
  });

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
      enter(req, res);
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

/** How long a stopping web process waits for its requests in flight (the supervisors kill at 10 s). */
const DRAIN_MS = 8_000;

function describeHops(hops: number): string {
  return hops === 0 ? "the socket's peer address" : `X-Forwarded-For entry ${hops} from the right`;
}
