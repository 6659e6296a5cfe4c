import "server-only";
import { collectDefaultMetrics, Registry } from "prom-client";

// On globalThis, like the Redis and Postgres clients: one registry per process, whichever
// bundle (route handler, worker) asks first.
const globalForMetrics = globalThis as unknown as { __holdcartRegistry?: Registry };

/** This process's Prometheus registry, with Node's default process metrics. */
export function processRegistry(): Registry {
  if (!globalForMetrics.__holdcartRegistry) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    globalForMetrics.__holdcartRegistry = registry;
  }
  return globalForMetrics.__holdcartRegistry;
}

/** A metric registered once per process: the module may be loaded by more than one bundle. */
export function once<T>(name: string, create: (registry: Registry) => T): T {
  const registry = processRegistry();
  const cache = ((registry as unknown as { __holdcart?: Map<string, unknown> }).__holdcart ??= new Map());
  if (!cache.has(name)) cache.set(name, create(registry));
  return cache.get(name) as T;
}
