import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { childrenOf } from "./process-stats";
import { freePort } from "./redis-server";

const ROOT = path.resolve(import.meta.dirname, "../..");

export function assertProductionBuild(): void {
  if (!existsSync(path.join(ROOT, ".next/BUILD_ID")) || !existsSync(path.join(ROOT, "dist/worker.mjs"))) {
    throw new Error("These suites run the production build: run `npm run build` first.");
  }
}

/**
 * The production web server (`npm run start:web`) on a free port, with the test file's
 * environment: WEB_CONCURRENCY=2 unless the test names its own, so every suite runs against a
 * cluster of web processes as production does. WEB_NODE_ARGS in the runner's environment are
 * node's own options for it (`--cpu-prof --cpu-prof-dir=.bench/prof` profiles every web process).
 */
export class WebProcess {
  readonly output: string[] = [];
  private child: ChildProcess | null = null;
  port = 0;

  /**
   * `env`: the test's environment for the server. `inspect`: the server listens for a debugger on
   * a free port, so a test can collect its garbage (`collectGarbage`); with WEB_CONCURRENCY=1 only.
   */
  constructor(
    private readonly env: Record<string, string> = {},
    private readonly options: { inspect?: boolean } = {},
  ) {}

  /** The process started (the cluster's primary, or the only web process with WEB_CONCURRENCY=1). */
  get pid(): number {
    if (!this.child?.pid) throw new Error("the web server is not running");
    return this.child.pid;
  }

  /** Every process of this web server, the primary first, for reading CPU time and memory from /proc. */
  pids(): number[] {
    return [this.pid, ...childrenOf(this.pid)];
  }

  /** The processes that answer requests: the primary's children, or the one process. */
  servingPids(): number[] {
    const children = childrenOf(this.pid);
    return children.length > 0 ? children : [this.pid];
  }

  get concurrency(): number {
    return Number(this.env.WEB_CONCURRENCY ?? DEFAULT_CONCURRENCY);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    assertProductionBuild();
    this.port = await freePort();
    const nodeArgs = (process.env.WEB_NODE_ARGS ?? "").split(" ").filter(Boolean);
    if (this.options.inspect) {
      if (this.concurrency !== 1) throw new Error("inspect: one web process (WEB_CONCURRENCY=1) only");
      nodeArgs.push("--inspect=127.0.0.1:0");
    }
    this.child = spawn(process.execPath, [...nodeArgs, "dist/web.mjs"], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: "production",
        PORT: String(this.port),
        WEB_CONCURRENCY: String(DEFAULT_CONCURRENCY),
        ...this.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout?.on("data", (c: Buffer) => this.output.push(c.toString()));
    this.child.stderr?.on("data", (c: Buffer) => this.output.push(c.toString()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        // Every process listening, so requests round robin over all of them from the first.
        const response = await fetch(`${this.url}/api/products`);
        if (response.status < 500 && this.listening() >= this.concurrency) return;
      } catch {
        // not listening yet
      }
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`web server did not start:\n${this.output.join("")}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /**
   * A full garbage collection in the web process, through its inspector (started with `inspect`).
   * V8 collects when it gets round to it, on an idle process maybe never: what the process holds
   * measured after this is what it keeps, not garbage yet to be collected.
   */
  async collectGarbage(): Promise<void> {
    const inspector = /Debugger listening on (ws:\/\/\S+)/.exec(this.output.join(""))?.[1];
    if (!inspector) throw new Error("the web server was not started with inspect");
    // Node 20's WebSocket client is behind a flag, so a node of its own speaks to the inspector.
    await promisify(execFile)(
      process.execPath,
      ["--experimental-websocket", "--no-warnings", "--eval", COLLECT_GARBAGE, inspector],
      { timeout: 30_000 },
    );
  }

  /** Sends `signal` to every process that answers requests (SIGSTOP freezes them, as a saturated or paused host would). */
  signal(signal: NodeJS.Signals): void {
    for (const pid of this.servingPids()) process.kill(pid, signal);
  }

  /** Web processes that said they listen since the start. */
  private listening(): number {
    return this.output.join("").split('"event":"web_listening"').length - 1;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
}

/** Asks the inspector at argv[1] for a full collection (V8's low-memory one) and waits for it to end. */
const COLLECT_GARBAGE = `
const socket = new WebSocket(process.argv[1]);
socket.onopen = () => socket.send(JSON.stringify({ id: 1, method: "HeapProfiler.collectGarbage" }));
socket.onmessage = (message) => { if (JSON.parse(message.data).id === 1) process.exit(0); };
socket.onerror = () => process.exit(1);
`;

/** WEB_CONCURRENCY of the runner's environment, else 2: a cluster, as production runs. */
const DEFAULT_CONCURRENCY = Number(process.env.WEB_CONCURRENCY || 2);
