import { spawnSync } from "node:child_process";
import { RedisCluster } from "./harness/redis-cluster";

/**
 * `npm run test:cluster`: starts a local Redis Cluster (3 masters, 3 replicas), runs the
 * integration suite once more against it, then the cluster scenarios (failover, several web and
 * worker instances and a stock stream across them, on a cluster of their own), and stops it.
 * `npm run test:cluster -- --pages` also runs the end-to-end specs whose pages hold, release,
 * stream, hand off and end shared renders through Redis (about 5 minutes more; CI leaves them out:
 * the integration suite drives those paths on the cluster, and the scenarios a page's stream).
 * `-- --no-scenarios` leaves the scenarios out (`npm test` runs them in its other lane).
 * Needs the production build (`npm run build`) for the end-to-end specs and the scenarios.
 */
const PAGE_SPECS = ["cart", "expiry", "hold", "shared-pages", "waitlist"].map((name) => `tests/e2e/${name}.spec.ts`);
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
  if (process.argv.includes("--pages")) status ||= run("npx", ["playwright", "test", ...PAGE_SPECS]);
  if (!process.argv.includes("--no-scenarios")) status ||= run("npx", ["vitest", "run", "--project", "cluster"]);
} finally {
  await cluster.stop();
}
process.exit(status);
