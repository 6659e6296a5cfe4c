import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { WITH_EXPIRY_EVENTS } from "./redis-server";

const ROOT = path.resolve(import.meta.dirname, "../..");

/**
 * A real Redis Cluster on loopback: 3 masters and 3 replicas from the installed redis-server,
 * cluster-enabled, keyspace events on, no persistence. For tests, CI and local trials.
 */
export class RedisCluster {
  private readonly children = new Map<number, ChildProcess>();
  readonly ports: number[];

  constructor(
    readonly basePort = Number(process.env.REDIS_CLUSTER_BASE_PORT ?? 7100),
    // One folder per cluster: two clusters (CI's and a test file's) must never share nodes.conf.
    private readonly dir = path.join(ROOT, `.data/redis-cluster-${basePort}`),
  ) {
    this.ports = Array.from({ length: 6 }, (_, i) => basePort + i);
  }

  /** `host:port,...`, the value of REDIS_CLUSTER_NODES. */
  get nodes(): string {
    return this.ports.map((p) => `127.0.0.1:${p}`).join(",");
  }

  startNode(port: number, detached = false): void {
    const dir = path.join(this.dir, String(port));
    mkdirSync(dir, { recursive: true });
    const child = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        "nodes.conf",
        "--cluster-node-timeout",
        "2000",
        ...WITH_EXPIRY_EVENTS,
        "--maxmemory-policy",
        "noeviction",
      ],
      { stdio: "ignore", detached },
    );
    if (detached) child.unref();
    this.children.set(port, child);
  }

  /** `detached`: the nodes outlive this process (the CLI); stop them with stopDetached(). */
  async start({ detached = false }: { detached?: boolean } = {}): Promise<void> {
    // These ports are ours: end whatever an earlier, crashed run may have left on them.
    await this.stopDetached();
    try {
      for (const port of this.ports) this.startNode(port, detached);
      for (const port of this.ports) await waitForPing(port);
      await this.create();
    } catch (error) {
      // Leave no half-made cluster behind to trip the next run.
      if (detached) await this.stopDetached();
      else await this.stop();
      throw error;
    }
  }

  private async create(): Promise<void> {
    const created = spawnSync(
      "redis-cli",
      ["--cluster", "create", ...this.ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "1", "--cluster-yes"],
      { encoding: "utf8" },
    );
    if (created.status !== 0)
      throw new Error(`redis-cli --cluster create failed:\n${created.stdout}\n${created.stderr}`);
    await this.waitUntilHealthy();
  }

  /** Every node sees cluster_state:ok and all 16384 slots covered. */
  async waitUntilHealthy(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all([...this.children.keys()].map((port) => clusterInfo(port).catch(() => "")));
      if (states.every((s) => s.includes("cluster_state:ok") && s.includes("cluster_slots_ok:16384"))) return;
      if (Date.now() > deadline) throw new Error(`cluster not healthy:\n${states.join("\n")}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Waits until a replica has replaced the dead master `port` and the cluster serves every slot. */
  async waitForFailover(port: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const masters = await this.masters().catch(() => [] as number[]);
      if (masters.length === 3 && !masters.includes(port)) {
        await this.waitUntilHealthy(Math.max(1_000, deadline - Date.now()));
        return;
      }
      if (Date.now() > deadline) throw new Error(`no failover of ${port} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The ports of the nodes that are masters right now (as a live node sees it). */
  async masters(): Promise<number[]> {
    const port = [...this.children.keys()][0] as number;
    const lines = (await clusterCommand(port, "NODES")).trim().split("\n");
    return lines.filter((l) => l.includes("master") && !l.includes("fail")).map((l) => Number(/:(\d+)@/.exec(l)?.[1]));
  }

  /** Kills one node on the spot (a crashed master, say). */
  async kill(port: number): Promise<void> {
    const child = this.children.get(port);
    if (!child) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
    this.children.delete(port);
  }

  /** Shuts down nodes started by another process (the CLI's `start`). */
  async stopDetached(): Promise<void> {
    for (const port of this.ports)
      spawnSync("redis-cli", ["-p", String(port), "shutdown", "nosave"], { stdio: "ignore" });
    rmSync(this.dir, { recursive: true, force: true });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.children.keys()].map((port) => this.kill(port)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One CLUSTER subcommand on one node, over a connection that gives up at once. */
async function clusterCommand(port: number, subcommand: "INFO" | "NODES"): Promise<string> {
  const redis = new Redis({
    port,
    host: "127.0.0.1",
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    return String(await redis.cluster(subcommand as "INFO"));
  } finally {
    redis.disconnect();
  }
}

const clusterInfo = (port: number) => clusterCommand(port, "INFO");

async function waitForPing(port: number): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    try {
      await clusterInfo(port);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`redis-server on ${port} did not start`);
}
