import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";

/** A redis-server that keeps nothing on disk: what dev, tests and benchmarks start. */
export const IN_MEMORY = ["--save", "", "--appendonly", "no"];

/** ...and sends the `expired` events the worker's fast path listens to. */
export const WITH_EXPIRY_EVENTS = [...IN_MEMORY, "--notify-keyspace-events", "Ex"];

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** A private redis-server (no persistence, like production's worst case) for fault scenarios. */
export class RedisServer {
  private child: ChildProcess | null = null;

  constructor(
    readonly port: number,
    private readonly extraArgs: string[] = [],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", ...IN_MEMORY, ...this.extraArgs],
      { stdio: "ignore" },
    );
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on("error", () => {}); // refused until the server is up; that is what we wait for
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        probe.disconnect();
        if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not start`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Stops it hard: every key is gone, as after a crash of a Redis without persistence. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.on("exit", r));
    child.kill("SIGKILL");
    await exited;
    this.child = null;
  }
}
