import { spawnSync } from "node:child_process";
import { RedisCluster } from "./harness/redis-cluster";

/**
 * `npm run test:cluster`: starts a local Redis Cluster (3 masters, 3 replicas), runs the
 * integration suite and the end-to-end specs that drive Redis once more against it, then the cluster scenarios
 * (failover, several web and worker instances, on a cluster of their own), and stops it.
 * Needs the production build (`npm run build`) for the end-to-end and cluster scenarios.
 */
const REDIS_SPECS = ["cart", "expiry", "hold", "shared-pages", "waitlist"].map((name) => `tests/e2e/${name}.spec.ts`);
const cluster = new RedisCluster();
const env = { ...process.env, REDIS_CLUSTER_NODES: cluster.nodes };
const run = (command: string, args: string[]) => {
  console.log(`\n[test:cluster] ${command} ${args.join(" ")} (REDIS_CLUSTER_NODES=${cluster.nodes})`);
  return spawnSync(command, args, { stdio: "inherit", env }).status ?? 1;
};
let status = 0;
try {
  await cluster.start();
  status ||= run("npx", ["vitest", "run", "--project", "integration"]);
  // The specs whose pages hold, release, stream, hand off and end shared renders through Redis. The
  // API's contract and bad input, checkout, held stock, accessibility, JavaScript-off, catalog and
  // admin specs render or answer what those produce, and a cluster changes nothing there: leaving
  // them out keeps CI within its 20 minutes (the integration suite above drives those paths on the
  // cluster).
  status ||= run("npx", ["playwright", "test", ...REDIS_SPECS]);
  status ||= run("npx", ["vitest", "run", "--project", "cluster"]);
} finally {
  await cluster.stop();
}
process.exit(status);
