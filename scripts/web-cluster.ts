import cluster, { type Worker } from "node:cluster";
import { log } from "../lib/base/log";
import { serveClusterMetrics } from "../lib/metrics/cluster";
import { bindPort, servePort } from "./shared-port";

/** A process that lived this long before dying was not crash-looping: its restart is not delayed. */
const HEALTHY_AFTER_MS = 30_000;
const FIRST_RESTART_DELAY_MS = 250;
const MAX_RESTART_DELAY_MS = 30_000;
/** How long the processes get to finish their requests on SIGTERM before they are killed. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * The primary of `count` web processes sharing one port. It binds the port and gives each process
 * several descriptors of the socket to accept on itself (scripts/shared-port.ts); it never
 * accepts a connection. Node's round-robin cluster was measured in `npm run drop` and left: its
 * primary hands a process one connection per turn of that process's event loop, so in a drop a
 * shopper's first connection waited 3-25 s. A process that dies is started again, each quick
 * death in a row waiting twice as long as the one before (250 ms up to 30 s), so a crash loop does
 * not spin the CPU; SIGTERM or SIGINT stops them all, bounded, and then the primary exits. Each
 * process keeps its own state (stock streams, the coalescer, in-memory refusals); what they share
 * is in Redis and Postgres.
 */
export async function superviseWebProcesses(count: number, port: number): Promise<void> {
  const socket = bindPort(port);
  servePort(socket);
  let stopping = false;
  let quickDeaths = 0;
  const startedAt = new Map<Worker, number>();
  serveClusterMetrics();

  const start = () => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    worker.on("exit", (code, signal) => {
      const lived = Date.now() - (startedAt.get(worker) ?? 0);
      startedAt.delete(worker);
      if (stopping) return;
      quickDeaths = lived >= HEALTHY_AFTER_MS ? 0 : quickDeaths + 1;
      const delay =
        quickDeaths === 0 ? 0 : Math.min(FIRST_RESTART_DELAY_MS * 2 ** (quickDeaths - 1), MAX_RESTART_DELAY_MS);
      log.error("web_process_died", { pid: worker.process.pid, code, signal, restartInMs: delay });
      setTimeout(() => stopping || start(), delay);
    });
  };
  for (let i = 0; i < count; i += 1) start();
  log.info("web_cluster", { processes: count });

  const stop = new Promise<void>((resolve) => {
    const onSignal = () => {
      if (stopping) return;
      stopping = true;
      // The port closes once the processes close their descriptors too: new connections are then
      // refused at once (a load balancer tries another instance) rather than left in the backlog.
      (socket as { close?: () => void }).close?.();
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
      for (const worker of workers) worker.process.kill("SIGTERM");
      const killer = setTimeout(() => workers.forEach((w) => w.process.kill("SIGKILL")), STOP_TIMEOUT_MS);
      killer.unref();
      void Promise.all(workers.map((w) => (w.isDead() ? null : new Promise((r) => w.once("exit", r))))).then(() => {
        clearTimeout(killer);
        resolve();
      });
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  });
  await stop;
}
