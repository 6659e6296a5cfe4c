import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { checkCompose, composeConfig, readCompose } from "./setup-check/compose";
import { isIgnored, parseDockerignore } from "./setup-check/dockerignore";
import { contextFiles, materialise, parseDockerfile } from "./setup-check/dockerfile";
import { ImageCheck, type Finding } from "./setup-check/image";
import { npmCiAsTheImage } from "./setup-check/npm-ci";

/**
 * `npm run test:setup`: checks the Dockerfile and docker-compose.yml without a Docker engine.
 *
 * 1. Reads the Dockerfile step by step, with the build context that `.dockerignore` leaves, and
 *    checks that every file a step needs was copied before it: package.json, the lock and
 *    patches/ before `npm ci`, every source before the build, and in the final stage what
 *    `npm start` and compose's commands run.
 * 2. Lays a scratch folder out exactly as the Dockerfile copies files up to `npm ci`, runs that
 *    step as the image build would (the local npm cache first), and checks that every patch in
 *    patches/ was applied and that `npm install` leaves the committed lock alone.
 * 3. Checks docker-compose.yml for each profile, and runs `docker compose config` where the
 *    Compose plugin is installed.
 *
 * `--static` skips step 2 (a few seconds instead of half a minute). `--image DIR` builds every
 * stage into DIR instead (each RUN too, the production build included: minutes), to try the
 * final stage by hand: `cd DIR/<last stage>/app && npm start`.
 */
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const args = process.argv.slice(2);
const started = performance.now();

const stages = parseDockerfile(readFileSync(path.join(root, "Dockerfile"), "utf8"));
const rules = parseDockerignore(readFileSync(path.join(root, ".dockerignore"), "utf8"));

const imageDir = args.includes("--image") ? args[args.indexOf("--image") + 1] : undefined;
if (imageDir) {
  const { roots } = materialise(stages, root, rules, path.resolve(imageDir), {
    run: (command, cwd, env) => {
      console.log(`[image] ${path.relative(imageDir, cwd)}$ ${command}`);
      const runEnv: Record<string, string> = {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        npm_config_prefer_offline: "true",
        ...env,
      };
      const child = spawnSync("sh", ["-c", command], { cwd, stdio: "inherit", env: runEnv as NodeJS.ProcessEnv });
      if (child.status !== 0) throw new Error(`RUN ${command} failed`);
    },
  });
  console.log(`[image] stages in ${[...roots.values()].join(", ")}`);
  process.exit(0);
}

const findings: Finding[] = [];
const report = (f: Finding) => {
  findings.push(f);
  console.log(`${f.ok ? "✓" : "✗"} ${f.name}`);
  if (!f.ok && f.detail) console.log(f.detail.replace(/^/gm, "    "));
};

// The build context must not carry a developer's secrets into the image (every command reads .env).
for (const secret of [".env", ".env.local", ".env.production", ".env.production.local"]) {
  report({
    ok: isIgnored(rules, secret),
    name: `.dockerignore keeps ${secret} out of the image`,
    detail: `add ${secret} (or .env*) to .dockerignore`,
  });
}

const services = readCompose(readFileSync(path.join(root, "docker-compose.yml"), "utf8"));
const composeCommands = new Map<string, [string, string[]]>();
for (const s of services.values()) {
  // Only the services built from this repository's Dockerfile run in its image (not pg-ha's nodes).
  if (!buildsTheApp(s.build) || s.command.length === 0) continue;
  const key = s.command.join(" ");
  if (!composeCommands.has(key)) composeCommands.set(key, [`compose ${s.name}`, s.command]);
}

function buildsTheApp(build: unknown): boolean {
  if (build === ".") return true;
  if (!build || typeof build !== "object") return false;
  const { context, dockerfile, dockerfile_inline } = build as Record<string, unknown>;
  return context === "." && dockerfile_inline === undefined && (dockerfile ?? "Dockerfile") === "Dockerfile";
}

const image = new ImageCheck(root, stages, rules, contextFiles(root, rules), [...composeCommands.values()]);
await image.run();
image.findings.forEach(report);

checkCompose(services).forEach(report);
const config = composeConfig(root, services);
if (config.length === 0)
  console.log("- docker compose config: skipped (no Compose plugin here; the checks above read the file instead)");
config.forEach(report);

if (!args.includes("--static")) {
  const scratch = mkdtempSync(path.join(tmpdir(), "holdcart-setup-"));
  try {
    npmCiAsTheImage(root, stages, rules, scratch).findings.forEach(report);
  } catch (error) {
    report({
      ok: false,
      name: "npm ci in a folder laid out like the image",
      detail: error instanceof Error ? error.message : String(error),
    });
  } finally {
    if (!args.includes("--keep")) rmSync(scratch, { recursive: true, force: true });
    else console.log(`(scratch kept in ${scratch})`);
  }
}

const failed = findings.filter((f) => !f.ok).length;
console.log(`\nsetup checks (${((performance.now() - started) / 1000).toFixed(1)} s)`);
console.log(`${findings.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
