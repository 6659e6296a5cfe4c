import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { freePort } from "./redis-server";

const ROOT = path.resolve(import.meta.dirname, "../..");

export function assertProductionBuild(): void {
  if (!existsSync(path.join(ROOT, ".next/BUILD_ID")) || !existsSync(path.join(ROOT, "dist/worker.mjs"))) {
    throw new Error("These suites run the production build: run `npm run build` first.");
  }
}

/** The production web server (`npm run start:web`) on a free port, with the test file's environment. */
export class WebProcess {
  readonly output: string[] = [];
  private child: ChildProcess | null = null;
  port = 0;

  constructor(private readonly env: Record<string, string> = {}) {}

  /** The `next start` process, for reading its CPU time and memory from /proc. */
  get pid(): number {
    if (!this.child?.pid) throw new Error("the web server is not running");
    return this.child.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    assertProductionBuild();
    this.port = await freePort();
    this.child = spawn(process.execPath, ["dist/web.mjs"], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "production", PORT: String(this.port), ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout?.on("data", (c: Buffer) => this.output.push(c.toString()));
    this.child.stderr?.on("data", (c: Buffer) => this.output.push(c.toString()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const response = await fetch(`${this.url}/api/products`);
        if (response.status < 500) return;
      } catch {
        // not listening yet
      }
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`web server did not start:\n${this.output.join("")}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Sends `signal` to the web server (SIGSTOP freezes it, as a saturated or paused host would). */
  signal(signal: NodeJS.Signals): void {
    process.kill(this.pid, signal);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
}
