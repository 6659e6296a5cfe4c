import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The domain layer talks to Redis and Postgres over native Node sockets; keep those
  // packages out of the server bundle so they load exactly as in the worker.
  serverExternalPackages: ["ioredis", "postgres"],
  poweredByHeader: false,
  // Answers are small JSON and HTML; compressing them cost more CPU than it saved bytes. A
  // proxy in front (which production has) compresses where it pays.
  compress: false,
  typedRoutes: false,
};

export default nextConfig;
