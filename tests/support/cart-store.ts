import { Cluster, type Redis } from "ioredis";
import { redis } from "@/lib/redis/client";

/** The Redis nodes holding carts: the single server, or every master of a cluster. */
export function cartStoreNodes(): Redis[] {
  const client = redis();
  return client instanceof Cluster ? client.nodes("master") : [client];
}

/** Loses every cart Redis holds, as a FLUSHDB (on every master of a cluster) does. */
export async function flushCartStore(): Promise<void> {
  await Promise.all(cartStoreNodes().map((node) => node.flushdb()));
}
