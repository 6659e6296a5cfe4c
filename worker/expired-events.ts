import { Cluster, Redis } from "ioredis";
import { config } from "../lib/base/config";
import { log, reason } from "../lib/base/log";
import { createRedis, failFast, redis, redisDatabase } from "../lib/redis/client";
import { ensureExpiredEvents } from "./keyspace-events";

const PING_MS = 10_000;
const TOPOLOGY_CHECK_MS = 5_000;

/**
 * Delivers the key of every `expired` keyevent to `onKey`. Keyspace events are node-local, so
 * on a Redis Cluster there is one subscriber per master, kept in step with the topology (a
 * failover promotes a replica: it is subscribed to within TOPOLOGY_CHECK_MS). On a single Redis
 * it is one subscriber. Either way the notification flags are (re)enabled on every node, since a
 * restarted or promoted node may not have them; where CONFIG is refused, one warning.
 */
export function subscribeToExpiredEvents(onKey: (key: string) => void): { stop: () => Promise<void> } {
  const channel = `__keyevent@${redisDatabase()}__:expired`;
  const subscribers = new Map<string, Redis>();
  let warnedNoConfig = false;
  let stopped = false;

  const enableOn = async (node: Redis) => {
    try {
      if (!(await ensureExpiredEvents(node)) && !warnedNoConfig) {
        warnedNoConfig = true;
        log.warn("keyspace_config_refused", {
          message:
            "Redis refuses CONFIG, so notify-keyspace-events cannot be checked or set. " +
            "Expiry events are used only if the server already sends them (notify-keyspace-events Ex); " +
            "the Postgres sweeper alone still ends every hold on time.",
        });
      }
    } catch (error) {
      log.error("keyspace_config_failed", { error: reason(error) });
    }
  };

  /** A subscriber that (re)subscribes on every connection: ioredis only resubscribes confirmed channels. */
  const subscribe = (subscriber: Redis, where: string) => {
    subscriber.on("message", (_channel: string, key: string) => onKey(key));
    subscriber.on("ready", () => {
      subscriber.subscribe(channel).then(
        () => log.info("subscribed", { channel, node: where }),
        (error: Error) => log.error("subscribe_failed", { channel, node: where, error: error.message }),
      );
    });
    void subscriber.connect().catch(() => {});
    return subscriber;
  };

  const timers: NodeJS.Timeout[] = [];
  const commands = redis();
  if (commands instanceof Cluster) {
    const reconcile = () => {
      if (stopped) return;
      const masters = commands.nodes("master");
      const wanted = new Set(masters.map((m) => `${m.options.host}:${m.options.port}`));
      for (const node of commands.nodes("all")) void enableOn(node);
      for (const master of masters) {
        const where = `${master.options.host}:${master.options.port}`;
        if (subscribers.has(where)) continue;
        const subscriber = new Redis({
          host: master.options.host,
          port: master.options.port,
          lazyConnect: true,
          ...failFast("holdcart-worker-events"),
        });
        subscriber.on("error", () => {}); // reconnects by itself; topology checks replace dead masters
        subscribers.set(where, subscribe(subscriber, where));
      }
      for (const [where, subscriber] of subscribers) {
        if (wanted.has(where)) continue;
        subscribers.delete(where);
        subscriber.disconnect();
        log.info("unsubscribed", { node: where });
      }
    };
    commands.on("ready", reconcile);
    commands.on("+node", reconcile);
    commands.on("-node", reconcile);
    commands.on("refresh", reconcile);
    timers.push(setInterval(reconcile, TOPOLOGY_CHECK_MS));
    void commands.connect().catch(() => {});
  } else {
    // A restarted Redis forgets CONFIG SET: enable again on every (re)connection.
    commands.on("ready", () => void enableOn(commands));
    void commands.connect().catch(() => {});
    const subscriber = createRedis(config().redisUrl, "holdcart-worker-events") as Redis;
    subscribers.set("single", subscribe(subscriber, "single"));
  }

  // A half-open socket delivers nothing and says nothing; a PING that fails forces a reconnect.
  timers.push(
    setInterval(() => {
      for (const subscriber of subscribers.values()) subscriber.ping().catch(() => subscriber.disconnect(true));
    }, PING_MS),
  );

  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      await Promise.all([...subscribers.values()].map((s) => s.quit().catch(() => s.disconnect())));
    },
  };
}
