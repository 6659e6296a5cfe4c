import { RedisCluster } from "./harness/redis-cluster";

/**
 * `tsx scripts/redis-cluster.ts start|stop`: a local 3-master, 3-replica Redis Cluster on
 * 127.0.0.1:7100-7105 (REDIS_CLUSTER_BASE_PORT), from the installed redis-server. `start` prints
 * the REDIS_CLUSTER_NODES value and leaves the nodes running (detached); `stop` ends them.
 */
const cluster = new RedisCluster();
const command = process.argv[2];
if (command === "start") {
  await cluster.start({ detached: true });
  console.log(`REDIS_CLUSTER_NODES=${cluster.nodes}`);
} else if (command === "stop") {
  await cluster.stopDetached();
  console.log("cluster stopped");
} else {
  console.error("usage: tsx scripts/redis-cluster.ts start|stop");
  process.exit(2);
}
process.exit(0);
