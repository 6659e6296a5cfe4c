import { spawn, type ChildProcess } from "node:child_process";

/** A quick death in a row waits twice as long as the one before to restart, up to this. */
const MAX_RESTART_DELAY_MS = 30_000;
const FIRST_RESTART_DELAY_MS = 500;
/** A process that lived this long before dying was not crash-looping: it restarts at once. */
const HEALTHY_AFTER_MS = 30_000;

type Command = {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Started again when it dies (the expiry worker): the others keep running meanwhile. */
  restart?: boolean;
};

/**
 * Runs several long-lived processes as one: output is passed through, and Ctrl-C / SIGTERM stop
 * all of them. A process marked `restart` that dies is started again (backing off while it
 * crash-loops) and nothing else is touched; when any other one exits, the rest are stopped too
 * (so a supervisor restarts the set).
 */
export function runTogether(commands: Command[], onExit: () => Promise<void> = async () => {}): void {
  const children = new Set<ChildProcess>();
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
  const allExited = () => [...children].every((c) => c.exitCode !== null || c.signalCode !== null);

  const start = ({ name, command, args, env, restart }: Command, quickDeaths = 0) => {
    const startedAt = Date.now();
    const child = spawn(command, args, { stdio: "inherit", env: { ...process.env, ...env } });
    children.add(child);
    child.on("exit", (code, signal) => {
      if (!stopping && restart) {
        children.delete(child);
        const deaths = Date.now() - startedAt >= HEALTHY_AFTER_MS ? 0 : quickDeaths + 1;
        const delay = deaths === 0 ? 0 : Math.min(FIRST_RESTART_DELAY_MS * 2 ** (deaths - 1), MAX_RESTART_DELAY_MS);
        console.error(`[${name}] exited (${signal ?? code}); starting it again in ${delay} ms`);
        setTimeout(() => stopping || start({ name, command, args, env, restart }, deaths), delay);
        return;
      }
      if (!stopping) {
        console.error(`[${name}] exited (${signal ?? code}); stopping the rest`);
        exitCode = code || 1;
      }
      shutdown("SIGTERM");
      if (allExited()) void onExit().finally(() => process.exit(exitCode));
    });
  };
  for (const command of commands) start(command);
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}
