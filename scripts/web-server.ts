import { createServer, type IncomingMessage } from "node:http";
import next from "next";
import { clientAddress } from "../lib/http/client-address";
import { apiHeaders, describeError } from "../lib/http/error-response";
import { requestLineProblem } from "../lib/http/raw-request";
import { config } from "../lib/config";
import { runCli } from "./cli";
import { WEB_SERVER_MARK } from "../lib/http/web-server-mark";
import { log } from "../lib/log";
import { withPageCache } from "../lib/pages/shared-pages";

/**
 * The production web server: Next's request handler behind a plain Node HTTP server, so every
 * request names its client by what the client cannot choose. Next itself only fills in
 * X-Forwarded-For when it is missing, which lets any client name itself; here the header is
 * always overwritten with the one address `TRUSTED_PROXY_HOPS` designates (lib/http/client-address.ts).
 * It also refuses what Next cannot even turn into a Request (TRACE), answering 405 not 500.
 */
runCli(async () => {
  const { port, trustedProxyHops, pageCacheMs } = config();
  (globalThis as Record<symbol, unknown>)[WEB_SERVER_MARK] = true;
  const app = next({ dev: false, port, hostname: "0.0.0.0" });
  await app.prepare();
  // Catalog and product page views without a cart: one render shared until the stock changes.
  const handle = await withPageCache(app.getRequestHandler(), { maxAgeMs: pageCacheMs });

  const nameClient = (req: IncomingMessage) => {
    const forwarded = req.headers["x-forwarded-for"];
    const chain = Array.isArray(forwarded) ? forwarded.join(",") : forwarded;
    req.headers["x-forwarded-for"] = clientAddress(req.socket.remoteAddress, chain, trustedProxyHops);
  };
  const server = createServer((req, res) => {
    // What Next would answer with a 500 before any route runs (TRACE, a broken % escape).
    const problem = requestLineProblem(req.method ?? "GET", req.url ?? "/");
    if (problem) {
      const { status, body } = describeError(problem);
      res.writeHead(status, {
        ...apiHeaders(status, body),
        "content-type": "application/json",
        ...(status === 405 ? { allow: ALLOWED_METHODS } : {}),
      });
      res.end(JSON.stringify(body));
      return;
    }
    nameClient(req);
    void handle(req, res);
  });
  // Longer than a load balancer's idle timeout (often 60 s), so it never reuses a closed socket.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(port, resolve));
  log.info("web_listening", { url: `http://localhost:${port}`, client: describeHops(trustedProxyHops) });

  const stop = () => {
    server.close();
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5_000).unref();
    void app.close().finally(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  await new Promise(() => {}); // runs until a signal stops it
});

const ALLOWED_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

function describeHops(hops: number): string {
  return hops === 0 ? "the socket's peer address" : `X-Forwarded-For entry ${hops} from the right`;
}
