import { spawn, type ChildProcess } from "node:child_process";

/**
 * Runs several long-lived processes as one: output is passed through, Ctrl-C / SIGTERM stop
 * all of them, and when one exits the others are stopped too (so a supervisor restarts the set).
 */
export function runTogether(
  commands: { name: string; command: string; args: string[]; env?: NodeJS.ProcessEnv }[],
  onExit: () => Promise<void> = async () => {},
): void {
  const children: ChildProcess[] = [];
  let stopping = false;
  let exitCode = 0;

  const stopAll = (signal: NodeJS.Signals) => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    stopAll(signal);
    setTimeout(() => stopAll("SIGKILL"), 10_000).unref();
  };

  for (const { name, command, args, env } of commands) {
    const child = spawn(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
    children.push(child);
    child.on("exit", (code, signal) => {
      if (!stopping) {
        console.error(`[${name}] exited (${signal ?? code}); stopping the rest`);
        exitCode = code || 1;
      }
      shutdown("SIGTERM");
      if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) {
        void onExit().finally(() => process.exit(exitCode));
      }
    });
  }
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}
