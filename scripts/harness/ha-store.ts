import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { describeViolations, LEDGER_VIOLATIONS_SQL } from "./ledger-violations";
import path from "node:path";
import postgres from "postgres";
import type { PgHa } from "../pg-ha";

/**
 * `npm run test:ha -- store`: the production build (dist/web.mjs, dist/worker.mjs) on the pair of
 * `npm run pg:ha`, under simulated shoppers (adding, checking out, joining a line), while the
 * primary's postmaster is killed (SIGKILL), then its whole node (keeper and Postgres: a lost
 * machine, run again afterwards to rejoin as the standby), then while the pair performs a planned
 * switchover.
 * Per event it prints the answers (2xx, 503 with and without Retry-After, other 5xx with the
 * server's error lines, timeouts), the time from the event to the first acknowledged add begun
 * after it, the longest request, the acknowledged holds, orders and line entries missing from the
 * (new) primary's ledger, the ledger's violations (invariants 1 and 2), the holds that expired
 * during the switch and their release after the store was back (invariant 4: SWEEP_INTERVAL_MS +
 * 1 s), and the formation's state afterwards. Exits 1 if anything of that is wrong. Uses ports
 * 3700 (web) and Redis database 5 (flushed before and after).
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const PORT = 3700;
const BASE = `http://127.0.0.1:${PORT}`;
const TTL_S = 8;
const SWEEP_MS = 1_000;
const SHOPPERS = 10;
const JOINERS = 2;
const REQUEST_TIMEOUT_MS = 30_000;
const REDIS_DB = "5";
/** Adds are spread over these (their stock raised so that they never run out). */
const PLENTY = ["enamel-camp-mug", "canvas-tote-bag", "trail-water-bottle", "bamboo-cutting-board"];
/** The line is joined on this one, sold out for the run. */
const SOLD_OUT = "limited-edition-art-print";

type Kind = "add" | "checkout" | "join" | "page";
type Answer = {
  kind: Kind;
  start: number; // Date.now() (the database's clock on this host)
  end: number;
  status: number; // 0: no answer (timeout, connection refused…)
  code?: string;
  retryAfter?: string | null;
  error?: string;
  cartId?: string;
  productId?: number;
  orderId?: string;
  waiterId?: string;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Shopper {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly answers: Answer[]) {}

  async post(kind: Kind, route: string, body: unknown): Promise<Answer> {
    const headers: Record<string, string> = { "content-type": "application/json", origin: BASE };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const start = Date.now();
    const answer: Answer = { kind, start, end: start, status: 0 };
    try {
      const response = await fetch(`${BASE}${route}`, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(";");
        const [name, ...value] = (pair ?? "").split("=");
        if (!name) continue;
        if (value.join("=")) this.cookies.set(name, value.join("="));
        else this.cookies.delete(name);
      }
      const text = await response.text();
      answer.status = response.status;
      answer.retryAfter = response.headers.get("retry-after");
      // The store's answers are JSON; whatever came back is read by shape.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      let json: any = null;
      try {
        json = JSON.parse(text);
      } catch {
        answer.error = text.slice(0, 200);
      }
      answer.code = json?.error?.code;
      if (json?.error?.message) answer.error = json.error.message;
      answer.cartId = json?.cart?.id;
      answer.orderId = json?.order?.id;
      // Signed ids (lib/base/signed-value.ts): the id is before the dot.
      answer.cartId ??= this.cookies.get("cart")?.split(".")[0];
      if (kind === "join") answer.waiterId = this.cookies.get("waiter")?.split(".")[0];
    } catch (error) {
      answer.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    answer.end = Date.now();
    this.answers.push(answer);
    return answer;
  }
}

/** Shoppers at a steady rate until stop(): each a cart of 1-3 adds, then a checkout (one in 3) or left to expire. */
function load(plenty: number[], soldOut: number) {
  const answers: Answer[] = [];
  let running = true;
  const shoppers = Array.from({ length: SHOPPERS }, async (_, s) => {
    let n = s;
    while (running) {
      const shopper = new Shopper(answers);
      const lines = 1 + (n % 3);
      let held = 0;
      for (let k = 0; k < lines && running; k++) {
        const productId = plenty[(n + k) % plenty.length]!;
        const a = await shopper.post("add", "/api/cart/items", { productId, quantity: 1 });
        a.productId = productId;
        if (a.status >= 200 && a.status < 300) held++;
        await sleep(a.status === 503 ? 250 : 60);
      }
      if (held > 0 && n % 3 === 0 && running) {
        const a = await shopper.post("checkout", "/api/checkout", { email: `ha${n}@example.com`, name: "HA" });
        await sleep(a.status === 503 ? 250 : 60);
      }
      n += SHOPPERS;
    }
  });
  // A browser viewing product pages (HTML): each view a page, or 503 "busy for a moment", never a 500.
  const viewer = (async () => {
    for (let n = 0; running; n += 1) {
      const start = Date.now();
      const answer: Answer = { kind: "page", start, end: start, status: 0 };
      try {
        const response = await fetch(`${BASE}/products/${PLENTY[n % PLENTY.length]}`, {
          headers: { accept: "text/html" },
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const text = await response.text();
        answer.status = response.status;
        answer.retryAfter = response.headers.get("retry-after");
        if (response.status === 503 && !text.includes("The store is busy for a moment"))
          answer.error = "a 503 page that does not say the store is busy";
      } catch (error) {
        answer.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      answer.end = Date.now();
      answers.push(answer);
      await sleep(answer.status === 503 ? 250 : 100);
    }
  })();
  const joiners = Array.from({ length: JOINERS }, async () => {
    while (running) {
      const a = await new Shopper(answers).post("join", "/api/waitlist", { productId: soldOut, quantity: 1 });
      a.productId = soldOut;
      await sleep(a.status === 503 ? 250 : 150);
    }
  });
  return {
    answers,
    async stop() {
      running = false;
      await Promise.all([...shoppers, ...joiners, viewer]);
    },
  };
}

/** A production process of the build with its stdout lines kept (the store logs JSON lines). */
class Proc {
  readonly lines: string[] = [];
  readonly child: ChildProcess;
  constructor(script: string, env: Record<string, string>) {
    this.child = spawn(process.execPath, [script], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "production", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let buffer = "";
    const collect = (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split("\n");
      buffer = parts.pop() ?? "";
      this.lines.push(...parts.filter(Boolean));
    };
    this.child.stdout?.on("data", collect);
    this.child.stderr?.on("data", collect);
  }
  /** The error lines logged since line `from`, distinct by event and message. */
  errors(from: number): string[] {
    const out = new Map<string, number>();
    for (const line of this.lines.slice(from)) {
      if (!/"level":"(error|fatal)"/.test(line) && !/^(Error|\s+at )/.test(line)) continue;
      const key = line.replace(/"t":"[^"]*",?/, "").slice(0, 400);
      out.set(key, (out.get(key) ?? 0) + 1);
    }
    return [...out].map(([line, n]) => `${n}× ${line}`);
  }
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.kill("SIGTERM");
    await Promise.race([exited, sleep(15_000)]);
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

/** Every way the ledger could be wrong (./ledger-violations.ts), and sold = the units ordered. */
async function ledgerViolations(sql: postgres.Sql): Promise<string[]> {
  const rows = await sql.unsafe<{ product_id: number; problem: string }[]>(`${LEDGER_VIOLATIONS_SQL}
    union all
    select i.product_id, 'sold ' || i.sold || ' but orders hold ' || coalesce(o.units, 0)
      from inventory i left join (select product_id, sum(quantity)::int as units from order_lines group by product_id) o
        on o.product_id = i.product_id
     where i.sold <> coalesce(o.units, 0)`);
  return describeViolations(rows);
}

/** Acknowledged writes not in the ledger: a 2xx add whose cart neither holds the line nor ended with it, a 2xx order or line entry absent. */
async function missingWrites(sql: postgres.Sql, answers: Answer[]): Promise<string[]> {
  const ok = answers.filter((a) => a.status >= 200 && a.status < 300);
  const missing: string[] = [];
  const adds = ok.filter((a) => a.kind === "add");
  const cartIds = [...new Set(adds.map((a) => a.cartId).filter((id): id is string => !!id))];
  for (const a of adds) if (!a.cartId) missing.push(`add answered ${a.status} without a cart id`);
  const carts = cartIds.length
    ? await sql<{ id: string; state: string; released: { product_id: number }[] | null }[]>`
        select id, state, released_lines as released from carts where id in ${sql(cartIds)}`
    : [];
  const byId = new Map(carts.map((c) => [c.id, c]));
  const held = cartIds.length
    ? await sql<{ cart_id: string; product_id: number }[]>`
        select cart_id, product_id from reservations where cart_id in ${sql(cartIds)}
        union select o.cart_id, l.product_id from orders o join order_lines l on l.order_id = o.id
         where o.cart_id in ${sql(cartIds)}`
    : [];
  const lines = new Set(held.map((h) => `${h.cart_id}/${h.product_id}`));
  for (const a of adds) {
    if (!a.cartId) continue;
    const cart = byId.get(a.cartId);
    if (!cart) missing.push(`add of ${a.productId} to cart ${a.cartId}: no such cart`);
    else if (cart.state === "expired") {
      // Expired: the hold was released; released_lines, where kept, must name it.
      if (cart.released && !cart.released.some((l) => l.product_id === a.productId))
        missing.push(`add of ${a.productId} to cart ${a.cartId}: expired without releasing that line`);
    } else if (!lines.has(`${a.cartId}/${a.productId}`))
      missing.push(`add of ${a.productId} to ${cart.state} cart ${a.cartId}: line not held nor ordered`);
  }
  const orderIds = ok.filter((a) => a.kind === "checkout").map((a) => a.orderId!);
  const orders = orderIds.length ? await sql<{ id: string }[]>`select id from orders where id in ${sql(orderIds)}` : [];
  const orderSet = new Set(orders.map((o) => o.id));
  for (const id of orderIds) if (!orderSet.has(id)) missing.push(`order ${id}: not in orders`);
  const joins = ok.filter((a) => a.kind === "join");
  const waiterIds = [...new Set(joins.map((a) => a.waiterId).filter((id): id is string => !!id))];
  for (const a of joins) if (!a.waiterId) missing.push(`join answered ${a.status} without a waiter cookie`);
  const entries = waiterIds.length
    ? await sql<{ waiter_id: string; product_id: number }[]>`
        select waiter_id, product_id from waitlist_entries where waiter_id in ${sql(waiterIds as [...string[], string])}`
    : [];
  const entrySet = new Set(entries.map((e) => `${e.waiter_id}/${e.product_id}`));
  for (const a of joins)
    if (a.waiterId && !entrySet.has(`${a.waiterId}/${a.productId}`))
      missing.push(`line entry of ${a.waiterId} for ${a.productId}: not in waitlist_entries`);
  return missing;
}

export async function storeOnThePair(ha: PgHa, rounds = 1): Promise<boolean> {
  const env: Record<string, string> = {
    DATABASE_URL: ha.databaseUrl,
    REDIS_URL: `redis://127.0.0.1:6379/${REDIS_DB}`,
    PORT: String(PORT),
    WEB_CONCURRENCY: "1",
    RATE_LIMIT_PER_SECOND: "0",
    MAX_CONNECTIONS_PER_CLIENT: "0",
    NEW_CARTS_PER_IP_PER_MINUTE: "0",
    HOLD_LIMITS: "off",
    CART_TTL_SECONDS: String(TTL_S),
    SWEEP_INTERVAL_MS: String(SWEEP_MS),
    SESSION_SECRET: "ha-store-session-secret-0123456789abcdef",
    ADMIN_TOKEN: "ha-store-admin-token-0123456789abcdefgh",
    DATABASE_POOL_MAX: "8",
  };
  for (const script of ["dist/migrate.mjs", "dist/seed.mjs"]) {
    const r = spawnSync(process.execPath, [script], { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${script} failed:\n${r.stdout}${r.stderr}`);
  }
  spawnSync("redis-cli", ["-n", REDIS_DB, "flushdb"]);
  const sql = postgres(ha.databaseUrl, { max: 2, connect_timeout: 5, onnotice: () => {} });
  // Stock enough that adds never run out; the line's product sold out (both conserved).
  await sql`update inventory i set on_hand = on_hand + 1000000, available = available + 1000000
              from products p where p.id = i.product_id and p.slug in ${sql(PLENTY)} and i.available < 500000`;
  await sql`update inventory i set on_hand = on_hand - available, available = 0
              from products p where p.id = i.product_id and p.slug = ${SOLD_OUT}`;
  const ids = await sql<
    { id: number; slug: string }[]
  >`select id, slug from products where slug in ${sql([...PLENTY, SOLD_OUT] as [...string[], string])}`;
  const plenty = ids.filter((p) => p.slug !== SOLD_OUT).map((p) => p.id);
  const soldOut = ids.find((p) => p.slug === SOLD_OUT)!.id;

  const web = new Proc("dist/web.mjs", env);
  const worker = new Proc("dist/worker.mjs", env);
  let ok = true;
  try {
    for (let deadline = Date.now() + 30_000; ;) {
      const up = await fetch(`${BASE}/api/products`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (up) break;
      if (Date.now() > deadline || web.child.exitCode !== null)
        throw new Error(`web did not start:\n${web.lines.join("\n")}`);
      await sleep(200);
    }
    const results: EventResult[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      for (const kind of ["kill postmaster", "kill node", "switchover"] as const) {
        try {
          const result = await storeEvent(ha, sql, kind, plenty, soldOut, web, worker);
          console.log(JSON.stringify({ round, ...result }, null, 1));
          results.push(result);
          if (!result.pass) ok = false;
        } catch (error) {
          console.error(`${kind}: the check itself failed:`, error);
          ok = false;
        }
      }
    }
    if (rounds > 1) console.log(summary(results));
  } finally {
    await web.stop();
    await worker.stop();
    await sql.end({ timeout: 5 });
    spawnSync("redis-cli", ["-n", REDIS_DB, "flushdb"]);
  }
  return ok;
}

type EventResult = Awaited<ReturnType<typeof storeEvent>>;

/** Per kind of event over the rounds: the figures docs/high-availability.md reports. */
function summary(results: EventResult[]): string {
  const rows = [
    "| event | rounds | writes acknowledged / missing | first 2xx add after it, p50 / max ms | longest without a 2xx add, max ms | 503s (all with Retry-After) | other 5xx | longest request ms |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const kind of ["kill postmaster", "kill node", "switchover"]) {
    const of = results.filter((r) => r.event === kind);
    if (of.length === 0) continue;
    const back = of.map((r) => r.firstOkAddAfterEventMs).sort((a, b) => a - b);
    const acknowledged = of.reduce(
      (n, r) => n + r.acknowledged.adds + r.acknowledged.orders + r.acknowledged.lineEntries,
      0,
    );
    const missing = of.reduce((n, r) => n + r.missingAcknowledgedWrites.length, 0);
    const sum = (f: (r: EventResult) => number) => of.reduce((n, r) => n + f(r), 0);
    rows.push(
      `| ${kind} | ${of.length} | ${acknowledged} / ${missing} | ${back[Math.floor((back.length - 1) / 2)]} / ${back.at(-1)} | ${Math.max(...of.map((r) => r.noAddGapMs))} | ${sum((r) => r.answers503)} (${sum((r) => r.answers503WithoutRetryAfter)} without) | ${sum((r) => r.other5xx.length)} | ${Math.max(...of.map((r) => r.longestRequestMs))} |`,
    );
  }
  return rows.join("\n");
}

/**
 * The harness's own reads of the ledger, retried while the pair has no primary to take them (a
 * switch still settling): the driver tries each node once and fails, as the store's requests do.
 */
async function settled<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await read();
    } catch (error) {
      const code = (error as { code?: string }).code ?? "";
      if (
        attempt >= 60 ||
        !/^(CONNECTION_|CONNECT_TIMEOUT|E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT)|57P0|25006|08)/.test(code)
      )
        throw error;
      await sleep(500);
    }
  }
}

/**
 * Whether a node other than `i` takes writes, alone (`wait_primary`, its standby gone) or not. A
 * killed node keeps the state it last reported ("primary") in the monitor's table.
 */
function anotherTakesWrites(ha: PgHa, i: number): boolean {
  const other = ha.nodePorts.filter((_, k) => k !== i);
  return ha.states().some((s) => other.includes(s.port) && ["primary", "wait_primary", "single"].includes(s.current));
}

async function storeEvent(
  ha: PgHa,
  sql: postgres.Sql,
  kind: "kill postmaster" | "kill node" | "switchover",
  plenty: number[],
  soldOut: number,
  web: Proc,
  worker: Proc,
) {
  await ha.waitHealthy(120_000);
  const webFrom = web.lines.length;
  const workerFrom = worker.lines.length;
  const shoppers = load(plenty, soldOut);
  await sleep(4_000); // a steady load first
  const i = ha.primaryIndex();
  const t0 = Date.now();
  if (kind === "kill postmaster") process.kill(ha.postmasterPid(i)!, "SIGKILL");
  else if (kind === "kill node")
    ha.killNode(i); // a lost machine
  else ha.runAsync(["pg_autoctl", "perform", "switchover", "--pgdata", ha.monitorData, "--formation", "default"]);
  // Back: an add begun after the event answered 2xx; then the load goes on 4 s more.
  const okAdd = () =>
    shoppers.answers.find((a) => a.kind === "add" && a.start > t0 && a.status >= 200 && a.status < 300);
  for (const deadline = t0 + 90_000; !okAdd() && Date.now() < deadline;) await sleep(20);
  const back = okAdd();
  // A switchover (or a lost node) is over once the other node is the primary; a planned
  // switchover begins a moment after it is asked for, so adds go on at the old primary until then.
  if (kind !== "kill postmaster")
    for (const deadline = Date.now() + 60_000; !anotherTakesWrites(ha, i) && Date.now() < deadline;) await sleep(100);
  await sleep(4_000);
  await shoppers.stop();
  const stoppedAt = Date.now();
  if (kind === "kill node") ha.runNode(i); // the lost machine comes back, to rejoin as the standby
  // Invariant 4 a moment after the store is back: no active cart overdue by more than a sweep + 1 s.
  const [overdue] = await settled(
    () => sql<{ n: number }[]>`
    select count(*)::int as n from carts
     where state = 'active' and expires_at < now() - make_interval(secs => ${(SWEEP_MS + 1_000) / 1000})`,
  );
  const answers = shoppers.answers;
  const cartIds = [...new Set(answers.map((a) => a.cartId).filter((id): id is string => !!id))];
  const backAt = back?.end ?? stoppedAt;
  // Holds whose deadline fell between the event and the store's return: released how long after it?
  const [late] = cartIds.length
    ? await settled(
        () => sql<{ n: number; worst: number | null; open: number }[]>`
        select count(*)::int as n,
               max(extract(epoch from (ended_at - greatest(expires_at, to_timestamp(${backAt / 1000})))) * 1000)::int as worst,
               count(*) filter (where state = 'active')::int as open
          from carts where id in ${sql(cartIds)} and expires_at between to_timestamp(${t0 / 1000}) and to_timestamp(${backAt / 1000})
           and state <> 'checked_out'`,
      )
    : [{ n: 0, worst: null, open: 0 }];
  // Every hold of the run ends (TTL), then the ledger is checked whole.
  for (const deadline = Date.now() + (TTL_S + 10) * 1000; Date.now() < deadline;) {
    const [r] = await settled(
      () =>
        sql<
          { n: number }[]
        >`select count(*)::int as n from carts where state = 'active' and id in ${sql(["00000000-0000-0000-0000-000000000000", ...cartIds])}`,
    );
    if (r!.n === 0) break;
    await sleep(500);
  }
  const missing = await settled(() => missingWrites(sql, answers));
  const violations = await settled(() => ledgerViolations(sql));
  await ha.waitHealthy(120_000).catch(() => {});
  const states = ha.states().map((s) => `${s.name}:${s.current}/${s.assigned}`);
  const now = ha.primaryIndex();

  const count = (f: (a: Answer) => boolean) => answers.filter(f).length;
  const byKind = (k: Kind) => ({
    ok: count((a) => a.kind === k && a.status >= 200 && a.status < 300),
    status503: count((a) => a.kind === k && a.status === 503),
    other: count((a) => a.kind === k && (a.status < 200 || a.status >= 300) && a.status !== 503),
  });
  const statuses: Record<string, number> = {};
  for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  const unavailable = answers.filter((a) => a.status === 503);
  const otherFailures = answers.filter((a) => a.status >= 500 && a.status !== 503);
  const noAnswer = answers.filter((a) => a.status === 0);
  // The longest time without an acknowledged add, from the event to the end of the load.
  const acked = [
    t0,
    ...answers.filter((a) => a.kind === "add" && a.status >= 200 && a.status < 300 && a.end > t0).map((a) => a.end),
  ].sort((a, b) => a - b);
  const noAddGapMs = Math.max(0, ...acked.map((t, k) => (k === 0 ? 0 : t - acked[k - 1]!)));
  const longest = answers.reduce((m, a) => (a.end - a.start > m.end - m.start ? a : m), answers[0]!);
  const otherCodes: Record<string, number> = {};
  for (const a of answers.filter((a) => a.status >= 400 && a.status !== 503))
    otherCodes[`${a.kind} ${a.status} ${a.code ?? ""}`] =
      (otherCodes[`${a.kind} ${a.status} ${a.code ?? ""}`] ?? 0) + 1;
  const result = {
    event: kind,
    from: `node${i + 1}`,
    primaryAfter: `node${now + 1}`,
    formation: states.join(" "),
    requests: answers.length,
    statuses,
    adds: byKind("add"),
    checkouts: byKind("checkout"),
    joins: byKind("join"),
    pages: byKind("page"),
    otherRefusals: otherCodes,
    answers503: unavailable.length,
    answers503WithoutRetryAfter: unavailable.filter((a) => !a.retryAfter).length,
    messages503: [...new Set(unavailable.map((a) => a.error))],
    busyPagesNotSayingSo: count((a) => a.kind === "page" && a.status === 503 && !!a.error),
    other5xx: otherFailures.map((a) => `${a.kind} ${a.status} ${a.code} ${a.error}`),
    noAnswer: noAnswer.map((a) => `${a.kind} after ${a.end - a.start} ms: ${a.error}`),
    firstOkAddAfterEventMs: back ? back.end - t0 : -1,
    noAddGapMs,
    longestRequestMs: longest ? longest.end - longest.start : 0,
    longestRequest: longest
      ? `${longest.kind} ${longest.status} ${longest.code ?? ""} at +${longest.start - t0} ms`
      : "",
    acknowledged: {
      adds: count((a) => a.kind === "add" && a.status < 300 && a.status >= 200),
      orders: count((a) => a.kind === "checkout" && a.status < 300 && a.status >= 200),
      lineEntries: count((a) => a.kind === "join" && a.status < 300 && a.status >= 200),
    },
    missingAcknowledgedWrites: missing,
    ledgerViolations: violations,
    overdueActiveCartsRightAfter: overdue!.n,
    expiredDuringSwitch: late!.n,
    expiredDuringSwitchStillActive: late!.open,
    latestReleaseAfterBackMs: late!.worst,
    // A promise nobody handled (the driver's own, postgres.js patched for it): never, even in a failover.
    strayRejections: [...web.lines.slice(webFrom), ...worker.lines.slice(workerFrom)].filter((l) =>
      /unhandledRejection|unhandled_rejection|uncaughtException/.test(l),
    ).length,
    // The store logs one JSON line per event, Next's errors included (lib/http/next-error-log.ts).
    linesNotJson: [...web.lines.slice(webFrom), ...worker.lines.slice(workerFrom)].filter((l) => !l.startsWith("{"))
      .length,
    webErrorLines: web.errors(webFrom).slice(0, 12),
    workerErrorLines: worker.errors(workerFrom).slice(0, 12),
    pass: false,
  };
  result.pass =
    otherFailures.length === 0 &&
    result.busyPagesNotSayingSo === 0 &&
    result.strayRejections === 0 &&
    result.linesNotJson === 0 &&
    noAnswer.length === 0 &&
    result.answers503WithoutRetryAfter === 0 &&
    !!back &&
    missing.length === 0 &&
    violations.length === 0 &&
    overdue!.n === 0 &&
    late!.open === 0 &&
    (late!.worst ?? 0) <= SWEEP_MS + 1_000 &&
    states.length === 2 &&
    states.some((s) => s.endsWith(":primary/primary")) &&
    states.some((s) => s.endsWith(":secondary/secondary"));
  return result;
}
