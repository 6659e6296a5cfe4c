import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export type LogLine = Record<string, unknown> & { event?: string };

const ROOT = path.resolve(import.meta.dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

/** A real expiry worker process (worker/index.ts), with its JSON log lines collected. */
export class WorkerProcess {
  readonly lines: LogLine[] = [];
  readonly stderr: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  /** `production`: the bundled dist/worker.mjs of `npm run build`; otherwise the source through tsx. */
  constructor(env: Record<string, string>, { production = false }: { production?: boolean } = {}) {
    const [command, args] = production
      ? [process.execPath, ["dist/worker.mjs"]]
      : [TSX, ["--conditions=react-server", "worker/index.ts"]];
    this.child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let buffer = "";
    this.child.stdout?.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      for (const line of parts) {
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          this.lines.push({ event: "text", text: line });
        }
      }
    });
    this.child.stderr?.on("data", (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
  }

  releases(): LogLine[] {
    return this.lines.filter((l) => l.event === "release");
  }

  async waitFor(predicate: (lines: LogLine[]) => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.lines)) {
      if (Date.now() > deadline) {
        throw new Error(
          `worker did not log what was expected in ${timeoutMs} ms:\n${JSON.stringify(this.lines.slice(-10))}\n${this.stderr.join("")}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  started(): Promise<void> {
    return this.waitFor((lines) => lines.some((l) => l.event === "worker_started"));
  }

  /** SIGTERM: the worker finishes what it is doing and exits. */
  async stop(): Promise<number | null> {
    this.child.kill("SIGTERM");
    return this.exited;
  }

  /** SIGKILL: the worker dies on the spot. */
  async kill(): Promise<void> {
    this.child.kill("SIGKILL");
    await this.exited;
  }
}
