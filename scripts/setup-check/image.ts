import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { isIgnored, type IgnoreRule } from "./dockerignore";
import { simulate, type Stage, type VirtualFs } from "./dockerfile";
import { bundlesStarted, closure, foldersReadAtRunTime } from "./sources";

/**
 * What each of the Dockerfile's steps needs, derived from the repository rather than listed:
 * `npm ci` needs the manifest, the lock and what the root's install scripts read (patches/ for
 * patch-package); `npm run build` needs every source Next and scripts/build-worker.ts read; the
 * final stage needs what its CMD and compose's commands run (the dist/ bundles, the packages
 * they import, the folders they read, and for the web server Next's build, public/ and
 * next.config.ts with what it imports).
 */
export type Package = {
  scripts: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

export type Finding = { ok: boolean; name: string; detail?: string };

export function trackedFiles(root: string, under: string): string[] {
  const out = execFileSync("git", ["ls-files", "-z", "--", under], { cwd: root, encoding: "utf8" });
  return out.split("\0").filter(Boolean).sort();
}

/** `name: "path.ts"` pairs of scripts/build-worker.ts's entryPoints: the dist/<name>.mjs bundles. */
export function bundleEntries(root: string): Map<string, string> {
  const text = readFileSync(path.join(root, "scripts/build-worker.ts"), "utf8");
  const block = /entryPoints:\s*\{([^}]*)\}/.exec(text)?.[1];
  if (!block) throw new Error("scripts/build-worker.ts: no entryPoints object found");
  return new Map([...block.matchAll(/([\w-]+):\s*["']([^"']+)["']/g)].map((m) => [m[1]!, m[2]!]));
}

/** Splits a shell command line into its simple commands (`a && b; c`). */
function simpleCommands(line: string): string[][] {
  return line
    .split(/&&|\|\||;/)
    .map((part) => part.trim().split(/\s+/).filter(Boolean))
    .filter((words) => words.length > 0);
}

/** A file a step needs, or a problem found while working that out (always reported). */
type Need = { file: string; why: string; problem?: true };

export class ImageCheck {
  readonly findings: Finding[] = [];
  private readonly pkg: Package;
  private readonly entries: Map<string, string>;
  private readonly prodDeps: Set<string>;

  constructor(
    private readonly root: string,
    private readonly stages: Stage[],
    private readonly rules: IgnoreRule[],
    private readonly context: string[],
    /** Commands the final stage runs besides its CMD (compose's `command:`), as [what, argv]. */
    private readonly extraCommands: [string, string[]][],
  ) {
    this.pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as Package;
    this.entries = bundleEntries(root);
    this.prodDeps = new Set(Object.keys(this.pkg.dependencies ?? {}));
  }

  private record(name: string, missing: string[]): void {
    this.findings.push(missing.length === 0 ? { ok: true, name } : { ok: false, name, detail: missing.join("\n") });
  }

  private missing(fs: VirtualFs, needs: Need[]): string[] {
    const out: string[] = [];
    for (const { file, why, problem } of needs) {
      if (problem) {
        out.push(why);
        continue;
      }
      if (fs.has(`/app/${file}`.replace(/\/$/, ""))) continue;
      const ignored = isIgnored(this.rules, file) ? " (.dockerignore leaves it out of the context)" : "";
      out.push(`${file} is not there: ${why}${ignored}`);
    }
    return out;
  }

  /** What `npm ci` reads: package.json, the lock, and patches/ when the root's install scripts run patch-package. */
  private npmCiNeeds(): Need[] {
    const needs: Need[] = [
      { file: "package.json", why: "npm ci reads it" },
      { file: "package-lock.json", why: "npm ci installs exactly the lock" },
    ];
    for (const hook of ["preinstall", "install", "postinstall", "prepare"]) {
      const script = this.pkg.scripts[hook];
      if (!script?.includes("patch-package")) continue;
      const dir = /--patch-dir[= ](\S+)/.exec(script)?.[1] ?? "patches";
      const patches = trackedFiles(this.root, dir);
      if (patches.length === 0) needs.push({ file: `${dir}/`, why: `${hook} runs patch-package` });
      for (const p of patches) needs.push({ file: p, why: `npm ci's ${hook} (patch-package) applies it` });
    }
    return needs;
  }

  /** Every source `npm run build` reads. */
  private async buildNeeds(): Promise<Need[]> {
    const needs: Need[] = [{ file: "node_modules", why: "the build runs after npm ci" }];
    const script = this.pkg.scripts.build ?? "";
    for (const words of this.expandScripts(script)) {
      if (words[0] === "next" && words[1] === "build") {
        const appFiles = trackedFiles(this.root, "app");
        const code = appFiles.filter((f) => /\.(ts|tsx)$/.test(f));
        const roots = ["proxy.ts", "instrumentation.ts", "next.config.ts"].filter(
          (f) => this.context.includes(f) || this.tracked(f),
        );
        const c = await closure(this.root, [...code, ...roots]);
        for (const f of [...c.files, ...appFiles]) needs.push({ file: f, why: "next build compiles it" });
        for (const f of trackedFiles(this.root, "public")) needs.push({ file: f, why: "next build serves it" });
        for (const f of ["tsconfig.json", "postcss.config.mjs"].filter((x) => this.tracked(x))) {
          needs.push({ file: f, why: "next build reads it" });
        }
      } else if (words[0] === "tsx") {
        const file = words.find((w) => /\.[cm]?ts$/.test(w));
        if (!file) throw new Error(`build script: cannot tell what \`${words.join(" ")}\` runs`);
        const c = await closure(this.root, [file]);
        for (const f of c.files) needs.push({ file: f, why: `${file} imports it` });
        if (file === "scripts/build-worker.ts") {
          const b = await closure(this.root, [...this.entries.values()]);
          for (const f of b.files) needs.push({ file: f, why: "build:worker bundles it into dist/" });
        }
      } else {
        throw new Error(
          `the setup check does not know what \`${words.join(" ")}\` (in npm run build) reads; teach scripts/setup-check/image.ts`,
        );
      }
    }
    return dedupe(needs);
  }

  private tracked(file: string): boolean {
    return trackedFiles(this.root, file).includes(file);
  }

  /** `npm run x && y` → the simple commands, npm scripts replaced by their text. */
  private expandScripts(line: string): string[][] {
    const out: string[][] = [];
    for (const words of simpleCommands(line)) {
      const script =
        words[0] === "npm" ? (words[1] === "start" ? "start" : words[1] === "run" ? words[2] : null) : null;
      if (script) {
        const text = this.pkg.scripts[script];
        if (text === undefined) throw new Error(`npm script "${script}" does not exist`);
        out.push(...this.expandScripts(text));
      } else out.push(words);
    }
    return out;
  }

  /** What running bundle dist/<name>.mjs needs in the final stage. */
  private async bundleNeeds(name: string, seen = new Set<string>()): Promise<Need[]> {
    if (seen.has(name)) return [];
    seen.add(name);
    const entry = this.entries.get(name);
    if (!entry)
      return [
        {
          file: `dist/${name}.mjs`,
          problem: true,
          why: `dist/${name}.mjs is run, but scripts/build-worker.ts makes no such bundle`,
        },
      ];
    const needs: Need[] = [
      { file: `dist/${name}.mjs`, why: "it is run" },
      { file: "node_modules", why: `dist/${name}.mjs imports packages` },
    ];
    const c = await closure(this.root, [entry]);
    for (const p of c.packages) {
      if (!this.prodDeps.has(p))
        needs.push({
          file: `dep:${p}`,
          problem: true,
          why: `dist/${name}.mjs imports ${p} at run time, which npm prune --omit=dev removes: it is not in "dependencies"`,
        });
    }
    for (const dir of foldersReadAtRunTime(this.root, c.files)) {
      const files = trackedFiles(this.root, dir);
      for (const f of files.length ? files : [`${dir}/`])
        needs.push({ file: f, why: `dist/${name}.mjs reads ${dir}/ at run time` });
    }
    for (const child of bundlesStarted(this.root, c.files)) needs.push(...(await this.bundleNeeds(child, seen)));
    const startsNext =
      c.packages.includes("next") &&
      c.files.some((f) => /\bnext\(\{/.test(readFileSync(path.join(this.root, f), "utf8")));
    if (startsNext) {
      needs.push({ file: ".next/", why: `dist/${name}.mjs serves Next's build` });
      needs.push({ file: "package.json", why: "Next reads it at start" });
      for (const f of trackedFiles(this.root, "public"))
        needs.push({ file: f, why: `dist/${name}.mjs serves public/` });
      const config = await closure(this.root, ["next.config.ts"]);
      for (const f of config.files)
        needs.push({ file: f, why: "Next loads next.config.ts (and what it imports) when the server starts" });
      const app = await closure(
        this.root,
        trackedFiles(this.root, "app").filter((f) => /\.(ts|tsx)$/.test(f)),
      );
      for (const p of app.packages) {
        if (!this.prodDeps.has(p))
          needs.push({
            file: `dep:${p}`,
            problem: true,
            why: `the app imports ${p} at run time, which npm prune --omit=dev removes: it is not in "dependencies"`,
          });
      }
    }
    return needs;
  }

  private async commandNeeds(argv: string[]): Promise<Need[]> {
    const line = argv[0] === "sh" && argv[1] === "-c" ? argv.slice(2).join(" ") : argv.join(" ");
    const needs: Need[] = [];
    for (const words of simpleCommands(line)) {
      if (words[0] === "npm") needs.push({ file: "package.json", why: `\`${words.join(" ")}\` reads its scripts` });
    }
    for (const words of this.expandScripts(line)) {
      const bundle = words[0] === "node" ? /^dist\/([\w-]+)\.mjs$/.exec(words[1] ?? "")?.[1] : undefined;
      if (!bundle)
        throw new Error(
          `the setup check does not know what \`${words.join(" ")}\` needs; teach scripts/setup-check/image.ts`,
        );
      needs.push(...(await this.bundleNeeds(bundle)));
    }
    return dedupe(needs);
  }

  async run(): Promise<void> {
    const steps: { stage: Stage; line: number; command: string; before: VirtualFs }[] = [];
    const copyProblems: string[] = [];
    const result = simulate(
      this.stages,
      this.context,
      (command) => {
        const made: string[] = [];
        for (const words of simpleCommands(command)) {
          const text = words.join(" ");
          if (words[0] === "npm" && words[1] === "ci") made.push("node_modules");
          else if (text === "npm run build") made.push(".next", "dist");
          else if (words[0] === "npm" && words[1] === "prune") continue;
          else
            throw new Error(`the setup check does not know what \`${text}\` makes; teach scripts/setup-check/image.ts`);
        }
        return made;
      },
      ({ stage, instruction, before }) => {
        if (instruction.keyword === "RUN")
          steps.push({ stage, line: instruction.line, command: instruction.args.join(" "), before });
      },
      (message) => copyProblems.push(message),
    );
    this.record("every COPY finds what it copies", copyProblems);

    // Each RUN: what it reads is there before it.
    const ciSteps = steps.filter((s) => /\bnpm ci\b/.test(s.command));
    this.record("the Dockerfile runs npm ci", ciSteps.length ? [] : ["no RUN npm ci"]);
    for (const step of steps) {
      const where = `line ${step.line} (RUN ${step.command})`;
      for (const words of simpleCommands(step.command)) {
        const text = words.join(" ");
        if (words[0] === "npm" && words[1] === "ci") {
          this.record(
            `${where}: \`npm ci\` has package.json, the lock and patches/ before it`,
            this.missing(step.before, this.npmCiNeeds()),
          );
        } else if (text === "npm run build") {
          this.record(
            `${where}: \`npm run build\` has every source it reads before it`,
            this.missing(step.before, await this.buildNeeds()),
          );
        } else if (words[0] === "npm" && words[1] === "prune") {
          this.record(
            `${where}: \`${text}\` has package.json, the lock and node_modules`,
            this.missing(step.before, [
              { file: "package.json", why: "npm prune reads it" },
              { file: "package-lock.json", why: "npm prune keeps the lock's versions" },
              { file: "node_modules", why: "npm prune prunes it" },
            ]),
          );
        }
      }
    }

    // The final stage: what its CMD and compose's commands run.
    const final = this.stages.at(-1)!;
    const finalFs = result.get(final)!;
    const cmd = final.instructions.findLast((i) => i.keyword === "CMD");
    const commands: [string, string[]][] = cmd
      ? [[`CMD ${cmd.args.join(" ")}`, cmd.args], ...this.extraCommands]
      : this.extraCommands;
    this.record("the final stage has a CMD", cmd ? [] : ["no CMD in the final stage"]);
    for (const [what, argv] of commands) {
      const long = !(argv[0] === "sh" && argv[1] === "-c"); // sh -c: a one-shot (migrate and seed)
      if (long)
        this.record(
          `${what} runs node itself, so that docker stop's SIGTERM reaches it`,
          argv[0] === "npm"
            ? [
                `\`${argv.join(" ")}\`: npm's shell does not pass SIGTERM on, so the server is killed, not stopped; run \`node dist/<bundle>.mjs\``,
              ]
            : [],
        );
      this.record(
        `the final stage has what \`${argv.join(" ")}\` needs (${what})`,
        this.missing(finalFs, await this.commandNeeds(argv)),
      );
    }
  }
}

function dedupe(needs: Need[]): Need[] {
  const seen = new Set<string>();
  return needs.filter((n) => (seen.has(n.file) ? false : (seen.add(n.file), true)));
}
