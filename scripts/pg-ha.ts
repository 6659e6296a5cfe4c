import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { descendantsOf } from "./harness/process-stats";

/**
 * `tsx scripts/pg-ha.ts start|stop [--clean]|status`: a local pg_auto_failover formation on
 * loopback, a monitor on PG_HA_BASE_PORT (6500) and two Postgres nodes on the next two ports
 * (6501, 6502), one the primary and the other its synchronous standby. Data, configuration and
 * logs are in .data/pg-ha (PG_HA_DIR). Run as root, every pg_autoctl runs as `postgres`.
 * `start` creates the formation once, runs the three keepers detached, waits until the standby
 * is in sync and prints the DATABASE_URL naming both nodes; `stop` ends them (`--clean`: and
 * removes the data). Needs the Debian packages postgresql-15-auto-failover and
 * pg-auto-failover-cli (docs/high-availability.md).
 */

const ROOT = path.resolve(import.meta.dirname, "..");
const PG_BIN = process.env.PG_HA_PG_BIN ?? "/usr/lib/postgresql/15/bin";
const AS_POSTGRES = process.getuid?.() === 0;

/**
 * The monitor decides a node is down after one failed check a second (1 s timeout, one retry
 * 0.5 s later) and 2 s without news from its keeper; the defaults (5 s period, 5 s timeout, two
 * retries 2 s apart, 20 s) take 30 s and more. A primary cut off from the monitor and from its
 * standby demotes itself after network_partition_timeout (3 s), and the monitor promotes the
 * standby of a primary that does not answer only after primary_demote_timeout (5 s): the old
 * primary has stopped taking writes before the new one starts, as with the defaults (20 s, 30 s).
 */
export const MONITOR_SETTINGS: Record<string, number> = {
  "pgautofailover.health_check_period": 1_000,
  "pgautofailover.health_check_timeout": 1_000,
  "pgautofailover.health_check_max_retries": 1,
  "pgautofailover.health_check_retry_delay": 500,
  "pgautofailover.node_considered_unhealthy_timeout": 2_000,
  "pgautofailover.primary_demote_timeout": 5_000,
};
export const KEEPER_SETTINGS: Record<string, number> = {
  "timeout.network_partition_timeout": 3,
};

/**
 * `.data/pg-ha` in the repository, unless `postgres` (as which every pg_autoctl runs when started
 * as root) cannot enter the repository's folders, as in a clone under `mktemp -d` (mode 700):
 * then a folder of this repository's own in the system's temporary folder.
 */
function defaultDir(): string {
  const inRepository = path.join(ROOT, ".data/pg-ha");
  if (!AS_POSTGRES || spawnSync("runuser", ["-u", "postgres", "--", "test", "-x", ROOT]).status === 0)
    return inRepository;
  return path.join(tmpdir(), `holdcart-pg-ha-${createHash("sha256").update(ROOT).digest("hex").slice(0, 12)}`);
}

const JOINED = ["single", "primary", "secondary", "wait_primary"];

export class PgHa {
  readonly monitorPort: number;
  readonly nodePorts: [number, number];

  constructor(
    basePort = Number(process.env.PG_HA_BASE_PORT ?? 6500),
    readonly dir = process.env.PG_HA_DIR ? path.resolve(ROOT, process.env.PG_HA_DIR) : defaultDir(),
  ) {
    this.monitorPort = basePort;
    this.nodePorts = [basePort + 1, basePort + 2];
  }

  get monitorData(): string {
    return path.join(this.dir, "monitor");
  }
  nodeData(i: number): string {
    return path.join(this.dir, `node${i + 1}`);
  }
  get monitorUri(): string {
    return `postgres://autoctl_node@127.0.0.1:${this.monitorPort}/pg_auto_failover?sslmode=disable`;
  }
  /**
   * The store's DATABASE_URL: both nodes, and postgres.js keeps to the one that takes writes.
   * `primary`, not the `read-write` of `pg_autoctl show uri`: postgres.js 3.4.9 decides
   * read-write on default_transaction_read_only alone, which a hot standby reports `off` (Postgres
   * 14 and later send it at connection, so it never asks further), and so it takes the standby.
   * `primary` refuses a node whose in_hot_standby is on (docs/high-availability.md).
   */
  get databaseUrl(): string {
    const hosts = this.nodePorts.map((p) => `127.0.0.1:${p}`).join(",");
    return `postgres://postgres@${hosts}/holdcart?target_session_attrs=read-write&sslmode=disable`;
  }

  /** pg_autoctl (or psql, pg_ctl…) as `postgres`, with its config and state under this.dir. */
  private command(args: string[]): [string, string[]] {
    const env = [
      `PATH=${PG_BIN}:/usr/bin:/bin`,
      `XDG_CONFIG_HOME=${this.dir}/config`,
      `XDG_DATA_HOME=${this.dir}/share`,
      `XDG_RUNTIME_DIR=${this.dir}/run`,
      `PG_CONFIG=${PG_BIN}/pg_config`,
      "PGCONNECT_TIMEOUT=3",
    ];
    return AS_POSTGRES ? ["runuser", ["-u", "postgres", "--", "env", ...env, ...args]] : ["env", [...env, ...args]];
  }

  run(args: string[], { check = true } = {}): string {
    const [cmd, argv] = this.command(args);
    const result = spawnSync(cmd, argv, { encoding: "utf8", cwd: this.dir, timeout: 120_000 });
    if (result.error) throw new Error(`${args.join(" ")} could not run: ${result.error.message}`);
    if (check && result.status !== 0)
      throw new Error(
        `${args.join(" ")} failed (${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`,
      );
    return result.stdout;
  }

  /** A command left running (its output in commands.log), for one that waits (perform switchover). */
  runAsync(args: string[]): void {
    const [cmd, argv] = this.command(args);
    const log = openSync(path.join(this.dir, "commands.log"), "a");
    spawn(cmd, argv, { cwd: this.dir, stdio: ["ignore", log, log] });
  }

  /**
   * Loses node i as a machine is lost: its keeper, its Postgres and every backend killed with
   * SIGKILL at once (the postmaster too in case it was not the keeper's child). `runNode` brings it back.
   */
  killNode(i: number): void {
    const keeper = this.keeperPid(this.nodeData(i));
    if (keeper) for (const pid of [keeper, ...descendantsOf(keeper)]) process.kill(pid, "SIGKILL");
    const postmaster = this.postmasterPid(i);
    if (postmaster) for (const pid of [postmaster, ...descendantsOf(postmaster)]) process.kill(pid, "SIGKILL");
  }

  /** Runs node i's keeper again (after it was stopped or lost). */
  runNode(i: number): void {
    this.detach(`node${i + 1}`, ["run", "--pgdata", this.nodeData(i)]);
  }

  /** A keeper (`pg_autoctl …`, run or create --run) left running after this process exits. */
  private detach(name: string, args: string[]): void {
    const log = openSync(path.join(this.dir, `${name}.log`), "a");
    const [cmd, argv] = this.command(["pg_autoctl", ...args]);
    spawn(cmd, argv, { cwd: this.dir, detached: true, stdio: ["ignore", log, log] }).unref();
  }

  private psql(port: number, db: string, query: string, check = true): string {
    return this.run(["psql", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", db, "-XAtqc", query], {
      check,
    }).trim();
  }

  /** The keepers' pids from their pid files (XDG_RUNTIME_DIR), for those that run. */
  keeperPid(pgdata: string): number | null {
    // Nothing was ever created here (a fresh clone): no keeper, and no folder to run pg_autoctl in.
    if (!existsSync(pgdata)) return null;
    const file = this.run(["pg_autoctl", "show", "file", "--pid", "--pgdata", pgdata], { check: false }).trim();
    if (!file || !existsSync(file)) return null;
    const pid = Number(readFileSync(file, "utf8").split("\n")[0]);
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return null;
    }
  }

  /** The postmaster's pid of a node (first line of postmaster.pid), when it runs. */
  postmasterPid(i: number): number | null {
    const file = path.join(this.nodeData(i), "postmaster.pid");
    if (!existsSync(file)) return null;
    const pid = Number(readFileSync(file, "utf8").split("\n")[0]);
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return null;
    }
  }

  async start(): Promise<void> {
    // The folders above ours stay as they are (.data: 755), so that `postgres` can reach its own.
    mkdirSync(path.dirname(this.dir), { recursive: true });
    for (const sub of ["", "config", "share", "run"])
      mkdirSync(path.join(this.dir, sub), { recursive: true, mode: 0o700 });
    if (AS_POSTGRES) spawnSync("chown", ["-R", "postgres:postgres", this.dir]);
    const pgctl = `${PG_BIN}/pg_ctl`;
    const common = ["--hostname", "127.0.0.1", "--auth", "trust", "--no-ssl", "--pgctl", pgctl];

    if (!existsSync(path.join(this.monitorData, "PG_VERSION"))) {
      this.run([
        "pg_autoctl",
        "create",
        "monitor",
        "--pgdata",
        this.monitorData,
        "--pgport",
        String(this.monitorPort),
        ...common,
      ]);
      // Loopback only, as the nodes (--listen): it would listen on every address.
      this.run([
        "pg_autoctl",
        "config",
        "set",
        "--pgdata",
        this.monitorData,
        "postgresql.listen_addresses",
        "127.0.0.1",
      ]);
    }
    if (!this.keeperPid(this.monitorData)) this.detach("monitor", ["run", "--pgdata", this.monitorData]);
    await until(
      "the monitor answers",
      30_000,
      () => this.psql(this.monitorPort, "pg_auto_failover", "select 1", false) === "1",
    );
    for (const [key, value] of Object.entries(MONITOR_SETTINGS))
      this.psql(this.monitorPort, "pg_auto_failover", `alter system set ${key} = ${value}`);
    this.psql(this.monitorPort, "pg_auto_failover", "select pg_reload_conf()");

    for (const i of [0, 1]) {
      const pgdata = this.nodeData(i);
      if (!this.keeperPid(pgdata)) {
        const created =
          existsSync(path.join(pgdata, "PG_VERSION")) &&
          this.run(["pg_autoctl", "show", "file", "--config", "--pgdata", pgdata], { check: false });
        if (created) {
          this.configureKeeper(pgdata);
          this.detach(`node${i + 1}`, ["run", "--pgdata", pgdata]);
        } else {
          // The second node is created once the first is the formation's primary (single).
          this.detach(`node${i + 1}`, [
            ...[
              "create",
              "postgres",
              "--pgdata",
              pgdata,
              "--pgport",
              String(this.nodePorts[i]),
              "--name",
              `node${i + 1}`,
              "--listen",
              "127.0.0.1",
            ],
            ...["--dbname", "holdcart", "--monitor", this.monitorUri, ...common, "--run"],
          ]);
          // pg_basebackup waits for the primary's next checkpoint, spread over minutes by default:
          // one asked for now runs at once.
          await until(`node${i + 1} joins`, 120_000, () => {
            if (i === 1) this.psql(this.nodePorts[0], "postgres", "checkpoint", false);
            return this.states().some(
              (s) => s.name === `node${i + 1}` && s.current === s.assigned && JOINED.includes(s.current),
            );
          });
          this.configureKeeper(pgdata);
        }
      }
    }
    await this.waitHealthy(120_000);
    const primary = this.primaryPort();
    if (this.psql(primary, "postgres", "select 1 from pg_database where datname = 'holdcart'") !== "1")
      this.psql(primary, "postgres", "create database holdcart");
  }

  /** The keepers' timeouts, written to each node's pg_autoctl.cfg (a running keeper reloads it). */
  private configureKeeper(pgdata: string): void {
    for (const [key, value] of Object.entries(KEEPER_SETTINGS))
      this.run(["pg_autoctl", "config", "set", "--pgdata", pgdata, key, String(value)]);
  }

  /** The formation as the monitor sees it. */
  states(): { name: string; port: number; current: string; assigned: string; health: number }[] {
    const out = this.psql(
      this.monitorPort,
      "pg_auto_failover",
      "select coalesce(json_agg(json_build_object('name', nodename, 'port', nodeport, 'current', reportedstate, 'assigned', goalstate, 'health', health) order by nodeid), '[]') from pgautofailover.node",
      false,
    );
    try {
      return JSON.parse(out || "[]");
    } catch {
      return [];
    }
  }

  /** The primary's index (0, 1), or -1 while there is none. */
  primaryIndex(): number {
    const primary = this.states().find((s) => s.current === "primary" && s.assigned === "primary");
    return primary ? this.nodePorts.indexOf(primary.port) : -1;
  }

  primaryPort(): number {
    const primary = this.states().find((s) => s.current === "primary" && s.assigned === "primary");
    if (!primary) throw new Error("no primary");
    return primary.port;
  }

  /** A primary, and a secondary it waits for (synchronous_standby_names set on the primary). */
  healthy(): boolean {
    const states = this.states();
    const primary = states.find((s) => s.current === "primary" && s.assigned === "primary");
    if (!primary || !states.some((s) => s.current === "secondary" && s.assigned === "secondary")) return false;
    return this.psql(primary.port, "postgres", "show synchronous_standby_names", false) !== "";
  }

  async waitHealthy(timeoutMs: number): Promise<void> {
    await until("a primary and a synchronous standby", timeoutMs, () => this.healthy());
  }

  stop({ clean = false } = {}): void {
    for (const pgdata of [this.nodeData(1), this.nodeData(0), this.monitorData]) {
      if (!existsSync(pgdata)) continue;
      this.run(["pg_autoctl", "stop", "--pgdata", pgdata], { check: false });
    }
    const pids = () =>
      [this.monitorData, this.nodeData(0), this.nodeData(1)].map((d) => (existsSync(d) ? this.keeperPid(d) : null));
    const deadline = Date.now() + 15_000;
    while (pids().some(Boolean) && Date.now() < deadline) spawnSync("sleep", ["0.2"]);
    for (const pid of pids()) if (pid) process.kill(pid, "SIGKILL");
    for (const pgdata of [this.nodeData(0), this.nodeData(1), this.monitorData])
      if (existsSync(path.join(pgdata, "postmaster.pid")))
        this.run(["pg_ctl", "stop", "-m", "immediate", "-D", pgdata], { check: false });
    if (clean) rmSync(this.dir, { recursive: true, force: true });
  }

  status(): string {
    if (!existsSync(this.monitorData)) return "no formation (npm run pg:ha start)";
    if (!this.keeperPid(this.monitorData)) return "stopped";
    return this.run(["pg_autoctl", "show", "state", "--pgdata", this.monitorData], { check: false });
  }
}

async function until(what: string, timeoutMs: number, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ha = new PgHa();
  const [command, flag] = process.argv.slice(2);
  try {
    if (command === "start") {
      await ha.start();
      console.log(ha.status());
      console.log(`DATABASE_URL=${ha.databaseUrl}`);
    } else if (command === "stop") {
      ha.stop({ clean: flag === "--clean" });
      console.log(flag === "--clean" ? "formation stopped and removed" : "formation stopped");
    } else if (command === "status") {
      console.log(ha.status());
    } else {
      console.error("usage: tsx scripts/pg-ha.ts start|stop [--clean]|status");
      process.exit(2);
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
  process.exit(0);
}
