import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { isIgnored, mayReinclude, type IgnoreRule } from "./dockerignore";

/**
 * A small Dockerfile reader, enough for this repository's: stages (FROM … AS name), WORKDIR,
 * ENV, COPY (with --from), RUN, and the instructions that touch no files. It knows no ARG
 * substitution, ONBUILD or heredocs, and says so rather than guess.
 */
export type Instruction = {
  line: number;
  keyword: string;
  /** The text after the keyword, continuation lines joined. */
  text: string;
  /** `--name=value` flags (COPY --from=build). */
  flags: Record<string, string>;
  /** The arguments without the flags: JSON form as written, shell form split on blanks. */
  args: string[];
};

export type Stage = { index: number; name: string | null; base: string; instructions: Instruction[] };

const KNOWN = new Set([
  "FROM",
  "WORKDIR",
  "ENV",
  "COPY",
  "ADD",
  "RUN",
  "EXPOSE",
  "CMD",
  "ENTRYPOINT",
  "LABEL",
  "USER",
  "HEALTHCHECK",
  "STOPSIGNAL",
  "ARG",
]);

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    const start = i;
    let logical = lines[i]!;
    if (/^\s*(#|$)/.test(logical)) continue;
    while (/\\\s*$/.test(logical) && i + 1 < lines.length) {
      i += 1;
      const next = lines[i]!;
      logical = logical.replace(/\\\s*$/, " ") + (/^\s*#/.test(next) ? "" : next);
    }
    const match = /^\s*(\w+)\s*(.*)$/.exec(logical);
    if (!match) throw new Error(`Dockerfile line ${start + 1}: cannot read "${logical}"`);
    const keyword = match[1]!.toUpperCase();
    const body = match[2]!.trim();
    if (!KNOWN.has(keyword)) throw new Error(`Dockerfile line ${start + 1}: the setup check does not know ${keyword}`);
    if (/<<[-~]?\w/.test(body) && keyword === "RUN")
      throw new Error(`Dockerfile line ${start + 1}: heredocs are not supported by the setup check`);
    const { flags, rest } = takeFlags(body);
    const instruction: Instruction = { line: start + 1, keyword, text: body, flags, args: splitArgs(rest) };
    if (keyword === "FROM") {
      const [base = "", as, name] = instruction.args;
      stages.push({
        index: stages.length,
        name: as?.toUpperCase() === "AS" && name ? name : null,
        base,
        instructions: [],
      });
    } else if (keyword === "ARG" && stages.length === 0) {
      continue; // global ARGs only parameterise FROM, which this reader takes literally
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`Dockerfile line ${start + 1}: ${keyword} before any FROM`);
      if (keyword === "ARG")
        throw new Error(`Dockerfile line ${start + 1}: ARG inside a stage is not supported by the setup check`);
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

function takeFlags(body: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = body;
  for (;;) {
    const m = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest);
    if (!m) break;
    flags[m[1]!] = m[2] ?? "true";
    rest = rest.slice(m[0].length);
  }
  return { flags, rest };
}

function splitArgs(rest: string): string[] {
  if (rest.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(rest);
      if (Array.isArray(parsed) && parsed.every((a) => typeof a === "string")) return parsed;
    } catch {
      // not JSON: shell form
    }
  }
  return rest.split(/\s+/).filter(Boolean);
}

/** A stage's stage it copies from: `--from=name`, `--from=0`, or null (the build context). */
export function copySource(stages: readonly Stage[], instruction: Instruction): Stage | null {
  const from = instruction.flags.from;
  if (from === undefined) return null;
  const stage = stages.find((s) => s.name === from) ?? (/^\d+$/.test(from) ? stages[Number(from)] : undefined);
  if (!stage)
    throw new Error(
      `Dockerfile line ${instruction.line}: COPY --from=${from} names no earlier stage (an image is not supported)`,
    );
  return stage;
}

/** The build context's files (relative, `/`-separated) that `.dockerignore` lets through. */
export function contextFiles(root: string, rules: readonly IgnoreRule[]): string[] {
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      const ignored = isIgnored(rules, child);
      if (entry.isDirectory()) {
        if (!ignored || mayReinclude(rules, child)) walk(child);
      } else if (!ignored) {
        files.push(child);
      }
    }
  };
  walk("");
  return files.sort();
}

/**
 * What a stage holds, as far as the Dockerfile says: files by absolute path, and the folders
 * that a RUN step made whose content is not known statically (node_modules, .next, dist…).
 */
export class VirtualFs {
  readonly files = new Set<string>();
  readonly madeDirs = new Set<string>();

  has(p: string): boolean {
    const target = path.posix.normalize(p);
    if (this.files.has(target)) return true;
    for (const dir of this.madeDirs) if (target === dir || target.startsWith(`${dir}/`)) return true;
    return this.isDir(target);
  }

  isDir(p: string): boolean {
    const prefix = `${path.posix.normalize(p).replace(/\/$/, "")}/`;
    if ([...this.madeDirs].some((d) => `${d}/` === prefix || d.startsWith(prefix) || prefix.startsWith(`${d}/`)))
      return true;
    return [...this.files].some((f) => f.startsWith(prefix));
  }

  /** Copies `src` of `from` (a file or a folder's content) to `dest` here. */
  copy(from: VirtualFs, src: string, dest: string, intoDir: boolean): number {
    const s = path.posix.normalize(src).replace(/\/$/, "") || "/";
    let copied = 0;
    if (from.files.has(s)) {
      this.files.add(intoDir || this.isDir(dest) ? path.posix.join(dest, path.posix.basename(s)) : dest);
      return 1;
    }
    const prefix = s === "/" ? "/" : `${s}/`;
    for (const f of from.files) {
      if (f.startsWith(prefix)) {
        this.files.add(path.posix.join(dest, f.slice(prefix.length)));
        copied += 1;
      }
    }
    for (const d of from.madeDirs) {
      if (d === s || d.startsWith(prefix)) {
        this.madeDirs.add(path.posix.join(dest, d.slice(s.length)));
        copied += 1;
      } else if (s.startsWith(`${d}/`)) {
        this.madeDirs.add(dest);
        copied += 1;
      }
    }
    return copied;
  }

  clone(): VirtualFs {
    const c = new VirtualFs();
    for (const f of this.files) c.files.add(f);
    for (const d of this.madeDirs) c.madeDirs.add(d);
    return c;
  }
}

export type Step = {
  stage: Stage;
  instruction: Instruction;
  workdir: string;
  env: Record<string, string>;
  /** The stage's files just before this step. */
  before: VirtualFs;
};

/**
 * Goes through the Dockerfile step by step, keeping each stage's files as COPY lays them out;
 * `produced(command)` says which folders (relative to WORKDIR) a RUN command makes.
 * Every step is reported to `visit` with the files present before it runs; a COPY that finds
 * nothing to copy (Docker's build would stop there) is reported to `problem`.
 */
export function simulate(
  stages: readonly Stage[],
  context: readonly string[],
  produced: (command: string) => string[],
  visit: (step: Step) => void,
  problem: (message: string) => void,
): Map<Stage, VirtualFs> {
  const contextFs = new VirtualFs();
  for (const f of context) contextFs.files.add(`/${f}`);
  const result = new Map<Stage, VirtualFs>();
  for (const stage of stages) {
    const inherited = stages.find((s) => s.name === stage.base);
    const fs = inherited ? result.get(inherited)!.clone() : new VirtualFs();
    let workdir = "/";
    const env: Record<string, string> = {};
    for (const instruction of stage.instructions) {
      visit({ stage, instruction, workdir, env: { ...env }, before: fs.clone() });
      const { keyword, args } = instruction;
      if (keyword === "WORKDIR") workdir = path.posix.resolve(workdir, args[0] ?? "/");
      else if (keyword === "ENV") Object.assign(env, parseEnv(instruction));
      else if (keyword === "COPY" || keyword === "ADD") {
        const source = copySource(stages, instruction);
        const from = source ? result.get(source) : contextFs;
        if (!from) throw new Error(`Dockerfile line ${instruction.line}: copies from a later stage`);
        const dest = path.posix.resolve(workdir, args.at(-1)!);
        const sources = args.slice(0, -1);
        const intoDir = sources.length > 1 || args.at(-1)!.endsWith("/");
        for (const src of sources) {
          if (/[*?[]/.test(src))
            throw new Error(`Dockerfile line ${instruction.line}: wildcards are not supported by the setup check`);
          const abs = source ? path.posix.resolve("/", src) : path.posix.resolve("/", src);
          if (fs.copy(from, abs, dest, intoDir) === 0) {
            problem(
              `Dockerfile line ${instruction.line}: ${keyword} ${src}: nothing there${source ? ` in stage ${source.name ?? source.index}` : " in the build context (missing, or left out by .dockerignore)"}`,
            );
          }
        }
      } else if (keyword === "RUN") {
        for (const dir of produced(args.join(" "))) fs.madeDirs.add(path.posix.resolve(workdir, dir));
      }
    }
    result.set(stage, fs);
  }
  return result;
}

function parseEnv(instruction: Instruction): Record<string, string> {
  const out: Record<string, string> = {};
  if (!instruction.text.includes("=")) {
    const [key, ...value] = instruction.args;
    if (key) out[key] = value.join(" ");
    return out;
  }
  for (const m of instruction.text.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    out[m[1]!] = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
  }
  return out;
}

/**
 * Builds the image's stages as folders under `scratch` (each stage's `/` is scratch/<index>),
 * copying what COPY copies and running what RUN runs with the host's tools, until `stop` says
 * so (it is asked before each step). Returns each stage's folder. The base images themselves
 * are not there: RUN steps use the host's node and npm, and commands that need more fail.
 */
export function materialise(
  stages: readonly Stage[],
  contextRoot: string,
  rules: readonly IgnoreRule[],
  scratch: string,
  options: {
    stop?: (step: { stage: Stage; instruction: Instruction }) => boolean;
    run: (command: string, cwd: string, env: Record<string, string>) => void;
  },
): {
  roots: Map<Stage, string>;
  stoppedAt: { stage: Stage; instruction: Instruction; cwd: string; env: Record<string, string> } | null;
} {
  const roots = new Map<Stage, string>();
  for (const stage of stages) {
    const root = path.join(scratch, String(stage.index));
    const inherited = stages.find((s) => s.name === stage.base);
    if (inherited) cpSync(roots.get(inherited)!, root, { recursive: true, verbatimSymlinks: true });
    mkdirSync(root, { recursive: true });
    roots.set(stage, root);
    let workdir = "/";
    const env: Record<string, string> = {};
    for (const instruction of stage.instructions) {
      const cwd = path.join(root, workdir);
      if (options.stop?.({ stage, instruction })) return { roots, stoppedAt: { stage, instruction, cwd, env } };
      const { keyword, args } = instruction;
      if (keyword === "WORKDIR") {
        workdir = path.posix.resolve(workdir, args[0] ?? "/");
        mkdirSync(path.join(root, workdir), { recursive: true });
      } else if (keyword === "ENV") Object.assign(env, parseEnv(instruction));
      else if (keyword === "COPY" || keyword === "ADD") {
        const source = copySource(stages, instruction);
        const destArg = args.at(-1)!;
        const dest = path.join(root, path.posix.resolve(workdir, destArg));
        const sources = args.slice(0, -1);
        const intoDir = sources.length > 1 || destArg.endsWith("/");
        for (const src of sources) {
          const from = source
            ? path.join(roots.get(source)!, path.posix.resolve("/", src))
            : path.join(contextRoot, src);
          if (!existsSync(from)) throw new Error(`Dockerfile line ${instruction.line}: ${src} is not there`);
          const isDir = statSync(from).isDirectory();
          const target =
            !isDir && (intoDir || (existsSync(dest) && statSync(dest).isDirectory()))
              ? path.join(dest, path.basename(from))
              : dest;
          cpSync(from, target, {
            recursive: true,
            verbatimSymlinks: true,
            filter: (file) =>
              source !== null ||
              !isIgnored(rules, path.relative(contextRoot, file).split(path.sep).join("/")) ||
              path.resolve(file) === path.resolve(contextRoot),
          });
        }
      } else if (keyword === "RUN") {
        options.run(args.join(" "), cwd, env);
      }
    }
  }
  return { roots, stoppedAt: null };
}
