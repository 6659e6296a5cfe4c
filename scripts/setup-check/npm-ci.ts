import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { IgnoreRule } from "./dockerignore";
import { materialise, type Stage } from "./dockerfile";
import type { Finding } from "./image";
import { trackedFiles } from "./image";

/** What a patch adds: for each file under node_modules it changes, the lines it adds. */
export function addedLines(patchText: string): Map<string, string[]> {
  const files = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of patchText.split("\n")) {
    const target = /^\+\+\+ b\/(.+)$/.exec(line);
    if (target) {
      current = [];
      files.set(target[1]!.trim(), current);
    } else if (current && line.startsWith("+") && line.slice(1).trim()) {
      current.push(line.slice(1).trim());
    }
  }
  return files;
}

/**
 * The environment of a RUN step: the stage's ENV on a bare PATH and HOME, as in the image, not
 * the npm script's (npm passes its own settings down as npm_config_*, and CI or NODE_ENV would
 * change what npm ci installs and whether patch-package fails loudly). The npm cache is kept,
 * and used first: this machine reaches the registry only for what the cache lacks.
 */
function runEnv(stageEnv: Record<string, string>): NodeJS.ProcessEnv {
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" };
  if (process.env.npm_config_cache) env.npm_config_cache = process.env.npm_config_cache;
  if (process.env.npm_config_registry) env.npm_config_registry = process.env.npm_config_registry;
  env.npm_config_prefer_offline = "true";
  return { ...env, ...stageEnv } as NodeJS.ProcessEnv;
}

/**
 * Lays the image's first stages out in `scratch` exactly as the Dockerfile copies them, runs
 * every step up to and including the first `npm ci` as the image build would, and checks the
 * result: every patch in patches/ applied to node_modules, the lock left as it was.
 */
export function npmCiAsTheImage(
  root: string,
  stages: Stage[],
  rules: IgnoreRule[],
  scratch: string,
): { findings: Finding[]; seconds: number } {
  const findings: Finding[] = [];
  let ciDir: string | null = null;
  let seconds = 0;
  let ranCi = false;
  materialise(stages, root, rules, scratch, {
    stop: () => ranCi,
    run: (command, cwd, env) => {
      const started = performance.now();
      const child = spawnSync("sh", ["-c", command], {
        cwd,
        env: runEnv(env),
        encoding: "utf8",
        timeout: 600_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      seconds += (performance.now() - started) / 1000;
      const output = `${child.stdout ?? ""}${child.stderr ?? ""}`.trim().split("\n").slice(-25).join("\n");
      if (child.status !== 0)
        throw new Error(`RUN ${command} failed (exit ${child.status ?? child.signal}) in ${cwd}:\n${output}`);
      if (/\bnpm ci\b/.test(command)) {
        ranCi = true;
        ciDir = cwd;
      }
    },
  });
  if (!ciDir)
    return {
      findings: [{ ok: false, name: "npm ci ran in a folder laid out like the image", detail: "no RUN npm ci" }],
      seconds,
    };
  const dir: string = ciDir;
  findings.push({ ok: true, name: `npm ci ran in a folder laid out like the image (${seconds.toFixed(1)} s)` });

  const patches = trackedFiles(root, "patches").filter((f) => f.endsWith(".patch"));
  for (const patch of patches) {
    const problems: string[] = [];
    const added = addedLines(readFileSync(path.join(root, patch), "utf8"));
    if (added.size === 0) problems.push("the patch changes no file");
    for (const [file, lines] of added) {
      const target = path.join(dir, file);
      if (!existsSync(target)) {
        problems.push(`${file} is not installed`);
        continue;
      }
      const text = readFileSync(target, "utf8");
      const absent = lines.filter((l) => !text.includes(l));
      if (absent.length)
        problems.push(
          `${file} lacks ${absent.length} of the ${lines.length} lines the patch adds, e.g. "${absent[0]}"`,
        );
    }
    findings.push({ ok: problems.length === 0, name: `npm ci applied ${patch}`, detail: problems.join("\n") });
  }

  // `npm ci` never writes the lock; `npm install`, which a developer runs on a fresh clone, does
  // when the committed lock is not what npm would write (say, without "hasInstallScript").
  const lockBefore = readFileSync(path.join(root, "package-lock.json"), "utf8");
  const started = performance.now();
  const install = spawnSync("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund"], {
    cwd: dir,
    env: runEnv({}),
    encoding: "utf8",
    timeout: 300_000,
  });
  const installSeconds = (performance.now() - started) / 1000;
  seconds += installSeconds;
  const lockAfter = readFileSync(path.join(dir, "package-lock.json"), "utf8");
  findings.push({
    ok: install.status === 0 && lockBefore === lockAfter,
    name: `npm install after it leaves package-lock.json as committed (${installSeconds.toFixed(1)} s)`,
    detail:
      install.status !== 0
        ? `npm install failed: ${install.stderr.trim().split("\n").slice(-5).join("\n")}`
        : lockBefore === lockAfter
          ? undefined
          : "npm install rewrote package-lock.json: run `npm install` and commit the lock",
  });
  return { findings, seconds };
}
