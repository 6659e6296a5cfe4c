import postgres from "postgres";
import { storeOnThePair } from "./harness/ha-store";
import { PgHa } from "./pg-ha";

/**
 * `npm run test:ha [rounds]`: writes through the multi-host DATABASE_URL while the primary of
 * `npm run pg:ha` is lost, and checks that no acknowledged write is missing afterwards. Each
 * round: SIGKILL the primary's postmaster (its keeper restarts it), SIGKILL the primary's whole
 * node (keeper and Postgres: the monitor fails over, then the node is run again and must rejoin
 * as the standby), and a planned switchover. Prints, per event, the writes acknowledged and
 * missing, the time from the event to the first write acknowledged after it, the errors
 * meanwhile and the longest a write waited. Exits 1 if a write is missing or the pair is not back
 * within 15 s (3 s for a switchover). Not part of `npm test`.
 *
 * `npm run test:ha -- store`: the store's production build (dist/, .next/: `npm run build` first)
 * on the pair under simulated shoppers, through a kill of the primary's postmaster and a
 * switchover (scripts/harness/ha-store.ts).
 */

const WRITERS = 8;
const ha = new PgHa();
const startedHere = !ha.keeperPid(ha.monitorData);
await ha.start();

if (process.argv[2] === "store") {
  let passed = false;
  try {
    passed = await storeOnThePair(ha, Number(process.argv[3] ?? 1));
  } finally {
    if (startedHere) ha.stop();
  }
  process.exit(passed ? 0 : 1);
}

// The options lib/db/client.ts gives the store's pool.
const sql = postgres(ha.databaseUrl, {
  max: WRITERS,
  connect_timeout: 5,
  backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 1),
  onnotice: () => {},
});
await sql`create table if not exists ha_probe (id bigint primary key, at timestamptz not null default now())`;
await sql`truncate ha_probe`;

type Write = { id: number; start: number; end: number; ok: boolean; error?: string };
const writes: Write[] = [];
let nextId = 1;
let running = true;

async function writer(): Promise<void> {
  while (running) {
    const id = nextId++;
    const start = performance.now();
    try {
      await sql`insert into ha_probe (id) values (${id})`;
      writes.push({ id, start, end: performance.now(), ok: true });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      writes.push({ id, start, end: performance.now(), ok: false, error: message });
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 10)); // about 800 writes a second: a load, not a CPU hog
  }
}

async function until(timeoutMs: number, ok: () => boolean): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!ok() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

type Event = "kill postmaster" | "kill node" | "switchover";
async function event(kind: Event): Promise<Record<string, string | number>> {
  await ha.waitHealthy(120_000);
  await new Promise((r) => setTimeout(r, 2_000)); // writes flowing before
  const i = ha.primaryIndex();
  const from = writes.length;
  const t0 = performance.now();
  if (kind === "kill postmaster") {
    process.kill(ha.postmasterPid(i)!, "SIGKILL");
  } else if (kind === "kill node") {
    ha.killNode(i);
  } else {
    ha.runAsync(["pg_autoctl", "perform", "switchover", "--pgdata", ha.monitorData, "--formation", "default"]);
  }
  // Back: a write begun after the event is acknowledged, by the other node after a node's loss.
  const deadline = t0 + 60_000;
  while (!writes.slice(from).some((w) => w.ok && w.start > t0) && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  const back = writes.slice(from).find((w) => w.ok && w.start > t0);
  // The switch is over once the other node is the primary (a killed postmaster may instead be
  // restarted by its keeper before the monitor gives up on it).
  if (kind !== "kill postmaster") await until(60_000, () => ![-1, i].includes(ha.primaryIndex()));
  const switched = performance.now();
  await new Promise((r) => setTimeout(r, 2_000));
  if (kind === "kill node") ha.runNode(i); // the lost machine comes back
  await ha.waitHealthy(120_000);
  const during = writes.slice(from).filter((w) => w.start <= Math.max(switched, back?.end ?? 0));
  const errors = during.filter((w) => !w.ok);
  // The longest time without an acknowledged write, from the event to the end of the switch.
  const acks = [t0, ...during.filter((w) => w.ok).map((w) => w.end)].sort((a, b) => a - b);
  const gap = Math.max(0, ...acks.map((t, k) => (k === 0 ? 0 : t - acks[k - 1]!)));
  return {
    event: kind,
    from: `node${i + 1}`,
    to: `node${ha.primaryIndex() + 1}`,
    backMs: back ? Math.round(back.end - t0) : -1,
    noWriteGapMs: Math.round(gap),
    errors: errors.length,
    longestWaitMs: Math.round(Math.max(0, ...during.map((w) => w.end - w.start))),
    errorKinds: [...new Set(errors.map((w) => w.error))].join(" | "),
  };
}

const rounds = Number(process.argv[2] ?? 1);
const writers = Array.from({ length: WRITERS }, writer);
const results: Record<string, string | number>[] = [];
let failed = false;
try {
  for (let r = 0; r < rounds; r++)
    for (const kind of ["kill postmaster", "kill node", "switchover"] as const) {
      const result = await event(kind);
      console.log(JSON.stringify(result));
      results.push(result);
      const bound = kind === "switchover" ? 3_000 : 15_000;
      if (Number(result.backMs) < 0 || Number(result.noWriteGapMs) > bound) failed = true;
    }
} finally {
  running = false;
  await Promise.all(writers);
}
const acked = writes.filter((w) => w.ok).map((w) => w.id);
const found = new Set((await sql<{ id: string }[]>`select id from ha_probe`).map((r) => Number(r.id)));
const missing = acked.filter((id) => !found.has(id));
console.log(
  JSON.stringify({ acknowledged: acked.length, missing: missing.length, failedWrites: writes.length - acked.length }),
);
await sql.end({ timeout: 5 });
if (startedHere) ha.stop();
if (missing.length > 0 || failed) process.exit(1);
process.exit(0);
