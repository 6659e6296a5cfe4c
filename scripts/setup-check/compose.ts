import { spawnSync } from "node:child_process";
import { parse } from "yaml";
import type { Finding } from "./image";

/**
 * docker-compose.yml read as Compose reads it (YAML with anchors and `<<` merges, `$$` and
 * `${VAR:-default}` interpolation), then checked for each set of profiles: every dependency
 * is defined and enabled (Compose refuses the project otherwise), waits on a health check
 * that exists, each app service waits for the Redis it talks to (a Redis Cluster: until the
 * cluster is created), and no Redis runs that no app service uses.
 */
type Dependency = { condition: string; required: boolean };
export type Service = {
  name: string;
  profiles: string[];
  build: unknown;
  command: string[];
  environment: Record<string, string>;
  dependsOn: Map<string, Dependency>;
  healthcheck: boolean;
  ports: unknown[];
};

/** Compose's interpolation, with every variable unset: defaults apply, required ones count as given. */
export function interpolate(value: string): string {
  return value
    .replace(/\$\$/g, "\0")
    .replace(
      /\$\{(\w+)(?::?-([^}]*)|:?\?[^}]*)?\}/g,
      (_, _name: string, fallback: string | undefined) => fallback ?? "<set>",
    )
    .replace(/\$(\w+)/g, "")
    .replace(/\0/g, "$");
}

export function readCompose(text: string): Map<string, Service> {
  const doc = parse(text, { merge: true, maxAliasCount: -1 }) as { services?: Record<string, Record<string, unknown>> };
  const services = new Map<string, Service>();
  for (const [name, raw] of Object.entries(doc.services ?? {})) {
    const command =
      raw.command === undefined
        ? []
        : Array.isArray(raw.command)
          ? raw.command.map(String)
          : String(raw.command).split(/\s+/);
    const environment: Record<string, string> = {};
    const env = raw.environment;
    if (Array.isArray(env)) {
      for (const item of env) {
        const [k, ...v] = String(item).split("=");
        environment[k!] = interpolate(v.join("="));
      }
    } else if (env && typeof env === "object") {
      for (const [k, v] of Object.entries(env)) environment[k] = interpolate(v === null ? "" : String(v));
    }
    const dependsOn = new Map<string, Dependency>();
    const deps = raw.depends_on;
    if (Array.isArray(deps))
      for (const d of deps) dependsOn.set(String(d), { condition: "service_started", required: true });
    else if (deps && typeof deps === "object") {
      for (const [d, spec] of Object.entries(
        deps as Record<string, { condition?: string; required?: boolean } | null>,
      )) {
        dependsOn.set(d, { condition: spec?.condition ?? "service_started", required: spec?.required !== false });
      }
    }
    services.set(name, {
      name,
      profiles: Array.isArray(raw.profiles) ? raw.profiles.map(String) : [],
      build: raw.build,
      command: command.map(interpolate),
      environment,
      dependsOn,
      healthcheck: Boolean(raw.healthcheck),
      ports: Array.isArray(raw.ports) ? raw.ports : [],
    });
  }
  return services;
}

const hostOf = (url: string) => {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
};
/** The hosts a DATABASE_URL names: one, or each node of a highly available pair (host1:p1,host2:p2). */
const databaseHostsOf = (url: string): string[] =>
  (/^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^/?#]*)/i.exec(url)?.[1] ?? "")
    .split(",")
    .map((hostPort) => hostPort.replace(/:\d+$/, ""))
    .filter(Boolean);
const isClusterNode = (s: Service) => s.command.includes("--cluster-enabled");
const formsCluster = (s: Service) => s.command.join(" ").includes("--cluster create");
const isRedis = (s: Service) => s.command[0] === "redis-server" || isClusterNode(s);

/** Everything `name` waits for, directly or through its dependencies. */
function dependencies(services: Map<string, Service>, name: string, seen = new Set<string>()): Set<string> {
  for (const dep of services.get(name)?.dependsOn.keys() ?? []) {
    if (seen.has(dep)) continue;
    seen.add(dep);
    dependencies(services, dep, seen);
  }
  return seen;
}

export function checkCompose(services: Map<string, Service>): Finding[] {
  const findings: Finding[] = [];
  const profiles = [...new Set([...services.values()].flatMap((s) => s.profiles))].sort();
  for (const active of [[], ...profiles.map((p) => [p])]) {
    const label = active.length ? `--profile ${active.join(" ")}` : "no profile";
    const enabled = new Map(
      [...services].filter(([, s]) => s.profiles.length === 0 || s.profiles.some((p) => active.includes(p))),
    );
    const problems: string[] = [];

    for (const s of enabled.values()) {
      for (const [dep, { condition, required }] of s.dependsOn) {
        const target = services.get(dep);
        if (!target) problems.push(`${s.name} depends on ${dep}, which is not defined`);
        else if (!enabled.has(dep) && required)
          problems.push(`${s.name} depends on ${dep}, which this profile does not start (Compose refuses the project)`);
        else if (condition === "service_healthy" && !target.healthcheck)
          problems.push(`${s.name} waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
      }
    }

    const apps = [...enabled.values()].filter((s) => s.build !== undefined);
    const usedRedis = new Set<string>();
    for (const app of apps) {
      const waits = dependencies(enabled, app.name);
      for (const db of databaseHostsOf(app.environment.DATABASE_URL ?? "")) {
        if (!enabled.has(db)) problems.push(`${app.name}: DATABASE_URL names ${db}, which this profile does not start`);
        else if (!waits.has(db)) problems.push(`${app.name} does not wait for ${db} (its DATABASE_URL)`);
      }
      const usesRedis = app.command.join(" ").match(/start:(web|worker)|dist\/(web|worker|start)\.mjs|npm start/);
      if (!usesRedis) continue;
      const nodes = (app.environment.REDIS_CLUSTER_NODES ?? "")
        .split(",")
        .filter(Boolean)
        .map((n) => n.split(":")[0]!);
      if (nodes.length > 0) {
        for (const n of nodes) {
          if (!enabled.has(n))
            problems.push(`${app.name}: REDIS_CLUSTER_NODES names ${n}, which this profile does not start`);
        }
        const cluster = [...enabled.values()].filter(isClusterNode);
        cluster.forEach((n) => usedRedis.add(n.name));
        const init = [...enabled.values()].find(formsCluster);
        if (!init) problems.push(`${app.name} uses a Redis Cluster but no service creates it`);
        else {
          if (app.dependsOn.get(init.name)?.condition !== "service_completed_successfully")
            problems.push(
              `${app.name} does not wait for ${init.name} to complete (depends_on: condition: service_completed_successfully)`,
            );
          for (const n of cluster) {
            if (!init.dependsOn.has(n.name)) problems.push(`${init.name} does not wait for cluster node ${n.name}`);
          }
        }
      } else {
        const host = hostOf(app.environment.REDIS_URL ?? "");
        if (!host || !enabled.has(host))
          problems.push(`${app.name}: REDIS_URL names ${host}, which this profile does not start`);
        else {
          usedRedis.add(host);
          if (app.dependsOn.get(host)?.condition !== "service_healthy")
            problems.push(`${app.name} does not wait for ${host} to be healthy`);
        }
      }
    }
    for (const s of enabled.values()) {
      if (isRedis(s) && !usedRedis.has(s.name))
        problems.push(`${s.name} starts, but no app service of this profile uses it`);
    }
    if (active.length > 0) {
      const runs = (a: Service, role: string) =>
        new RegExp(`start:${role}|dist/(${role}|start)\\.mjs|npm start`).test(a.command.join(" "));
      if (!apps.some((a) => a.ports.length > 0 && runs(a, "web")))
        problems.push("no web server (dist/web.mjs with ports) in this profile");
      if (!apps.some((a) => runs(a, "worker"))) problems.push("no worker (dist/worker.mjs) in this profile");
    }
    findings.push({
      ok: problems.length === 0,
      name: `docker-compose.yml, ${label}: starts ${[...enabled.keys()].join(", ")}; every dependency defined, started and waited for`,
      detail: problems.join("\n"),
    });
  }
  return findings;
}

/** `docker compose config` for each profile, where the Compose plugin is installed (it needs no engine). */
export function composeConfig(root: string, services: Map<string, Service>): Finding[] {
  const version = spawnSync("docker", ["compose", "version"], { encoding: "utf8" });
  if (version.status !== 0) return [];
  const profiles = [...new Set([...services.values()].flatMap((s) => s.profiles))].sort();
  return profiles.map((p) => {
    const child = spawnSync("docker", ["compose", "--profile", p, "config", "--quiet"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, SESSION_SECRET: "x".repeat(32), ADMIN_TOKEN: "y".repeat(32) },
    });
    return { ok: child.status === 0, name: `docker compose --profile ${p} config`, detail: child.stderr.trim() };
  });
}
