import type { NextConfig } from "next";
import { MAX_ACTION_BODY_BYTES } from "./lib/http/action-request";

const nextConfig: NextConfig = {
  // The domain layer talks to Redis and Postgres over native Node sockets; keep those
  // packages out of the server bundle so they load exactly as in the worker.
  serverExternalPackages: ["ioredis", "postgres"],
  poweredByHeader: false,
  typedRoutes: false,
  experimental: {
    serverActions: {
      // proxy.ts refuses a larger body with a 413 before Next reads it (Next answers 500);
      // both read this one figure. No allowedOrigins: proxy.ts and Next both require the
      // action's Origin to be this host, the rule route handlers follow (lib/http/same-origin.ts).
      bodySizeLimit: MAX_ACTION_BODY_BYTES,
    },
  },
};

export default nextConfig;
