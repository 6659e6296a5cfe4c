import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let ticksPerSecond: number | undefined;

/** CPU time (user + system) a process has used so far, in ms, from /proc/PID/stat. */
export function cpuMsOf(pid: number): number {
  ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1_000) / ticksPerSecond;
}

/** Resident memory of a process, in MB, from /proc/PID/status. */
export function rssMbOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  if (!kb) throw new Error(`no VmRSS for ${pid}`);
  return Math.round(Number(kb) / 1024);
}

/** Each live process's children, from the parent pid in /proc/PID/stat. */
function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command name (which may hold spaces): state, then the parent's pid.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/** The live child processes of `pid` (the cluster's web processes of a primary). */
export const childrenOf = (pid: number): number[] => childrenByParent().get(pid) ?? [];

/** The live children of `pid` whose command line mentions `needle` (a zombie's is empty). */
export function childrenRunning(pid: number, needle: string): number[] {
  return childrenOf(pid).filter((child) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, "utf8").includes(needle);
    } catch {
      return false; // exited meanwhile
    }
  });
}

/** Every process below `pid` (a keeper's services, a postmaster and its backends). */
export function descendantsOf(pid: number): number[] {
  const children = childrenByParent();
  const out: number[] = [];
  const walk = (p: number) => (children.get(p) ?? []).forEach((c) => (out.push(c), walk(c)));
  walk(pid);
  return out;
}
