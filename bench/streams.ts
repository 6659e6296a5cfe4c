/**
 * Live stock streams (`GET /api/stock/stream`) against the production build:
 * - the web process's CPU per stock change with 0, 1,000 and 5,000 streams open, each watching a
 *   catalog page of products that includes the one that changes;
 * - its memory after 2,000 `HEAD`s and 2,000 reset `GET`s while stock keeps changing.
 * Stock changes are goods received through the admin API, one publish each. CPU and memory are
 * read from /proc for the `next start` process.
 */
import { sql } from "drizzle-orm";
import { db } from "../lib/db/client";
import { cpuMsOf, rssMbOf } from "../scripts/harness/process-stats";
import {
  headStockStreams,
  loopbackAddress,
  openStockStream,
  resetStockStreams,
  type StockStream,
} from "../scripts/harness/stock-streams";
import { WebProcess } from "../scripts/harness/web-process";

export type StreamCpuRow = {
  streams: number;
  /**
   * "back to back": each change as soon as the last was answered (coalescing at work);
   * "paced": one per 1.5 s, slower than any coalescing, so every change is a message to every stream.
   */
  pace: "back to back" | "paced";
  changes: number;
  seconds: number;
  webCpuMs: number;
  usPerChange: number;
  /** (µs per change here − µs per change with no stream open) / streams. */
  usPerStreamPerChange: number | null;
  /** `data:` messages each stream received for those changes, on average. */
  messagesPerStream: number;
};

export type StreamLeakRow = {
  step: string;
  rssMb: number;
  /** `streams` of /api/health (open subscriptions), when the build reports it. */
  healthStreams: number | null;
};

const PAGE = 20;
const SPREAD = 10; // streams per loopback address, under the default per-client cap
const counts = (process.env.BENCH_STREAM_COUNTS ?? "0,1000,5000").split(",").map(Number);
const CHANGES = Number(process.env.BENCH_STREAM_CHANGES ?? 200);
const PACED_CHANGES = Number(process.env.BENCH_STREAM_PACED_CHANGES ?? 10);
const PACED_MS = 1_500;
const LEAK_REQUESTS = Number(process.env.BENCH_STREAM_LEAK_REQUESTS ?? 2_000);

async function seedPage(): Promise<number[]> {
  await db().execute(sql`
    insert into products (slug, name, price_cents, image_url)
    select 'bench-stream-' || g, 'Bench stream product ' || g, 100, '/products/canvas-tote-bag.svg'
      from generate_series(1, ${PAGE}) g
    on conflict (slug) do nothing`);
  const rows = await db().execute<{ id: number }>(
    sql`select id from products where slug like 'bench-stream-%' order by id`,
  );
  const ids = rows.map((r) => r.id);
  await db().execute(sql`
    insert into inventory (product_id, on_hand, available)
    select id, 1000000, 1000000 from products where slug like 'bench-stream-%'
    on conflict (product_id) do nothing`);
  return ids;
}

/** Goods received for `productId`: one stock change, published once. Returns the new `available`. */
async function restock(url: string, productId: number): Promise<number> {
  const response = await fetch(`${url}/api/admin/products/${productId}/stock`, {
    method: "POST",
    headers: { authorization: `Bearer ${process.env.ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ add: 1 }),
  });
  if (response.status !== 200) throw new Error(`restock answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { product: { available: number } }).product.available;
}

async function healthStreams(url: string): Promise<number | null> {
  const body = (await (await fetch(`${url}/api/health`)).json()) as { streams?: number };
  return typeof body.streams === "number" ? body.streams : null;
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `count` streams, 10 per loopback address, each open and past its first snapshot message. */
async function openMany(url: string, ids: number[], count: number): Promise<StockStream[]> {
  const streams: StockStream[] = [];
  for (let start = 0; start < count; start += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, count - start) }, (_, i) =>
        openStockStream(url, ids, { localAddress: loopbackAddress(Math.floor((start + i) / SPREAD)) }),
      ),
    );
    for (const stream of batch) {
      if (stream.status !== 200) throw new Error(`stream refused: ${stream.status} ${await stream.text()}`);
    }
    await Promise.all(batch.map((s) => s.until((x) => x.messages > 0, 30_000)));
    streams.push(...batch);
  }
  return streams;
}

async function measureCpu(
  web: WebProcess,
  ids: number[],
  streams: StockStream[],
  pace: StreamCpuRow["pace"],
): Promise<Omit<StreamCpuRow, "usPerStreamPerChange">> {
  const hot = ids[0] as number;
  const changes = pace === "paced" ? PACED_CHANGES : CHANGES;
  for (const s of streams) s.messages = 0;
  const cpu0 = cpuMsOf(web.pid);
  const t0 = performance.now();
  let available = 0;
  for (let i = 0; i < changes; i += 1) {
    available = await restock(web.url, hot);
    if (pace === "paced") await new Promise((r) => setTimeout(r, PACED_MS));
  }
  // Every stream has seen the last value: all the fan-out work of these changes is done.
  await waitFor(() => streams.every((s) => s.latest.get(hot) === available), 120_000, "the last change everywhere");
  const webCpuMs = cpuMsOf(web.pid) - cpu0;
  return {
    streams: streams.length,
    pace,
    changes,
    seconds: Math.round((performance.now() - t0) / 100) / 10,
    webCpuMs: Math.round(webCpuMs),
    usPerChange: Math.round((webCpuMs * 1_000) / changes),
    messagesPerStream:
      streams.length === 0 ? 0 : Math.round((10 * streams.reduce((n, s) => n + s.messages, 0)) / streams.length) / 10,
  };
}

// One web process: what is measured is a process's CPU and memory per stream (its own hub).
const ONE_PROCESS = { DATABASE_POOL_MAX: "5", WEB_CONCURRENCY: "1" };

async function cpuPerChange(ids: number[], progress: (line: string) => void): Promise<StreamCpuRow[]> {
  const web = new WebProcess(ONE_PROCESS);
  await web.start();
  const rows: StreamCpuRow[] = [];
  try {
    for (let i = 0; i < 20; i += 1) await restock(web.url, ids[0] as number); // warm-up
    for (const count of counts) {
      progress(`streams: opening ${count} streams`);
      const streams = await openMany(web.url, ids, count);
      for (const pace of ["back to back", "paced"] as const) {
        progress(`streams: ${count} open, changes ${pace}`);
        const row = await measureCpu(web, ids, streams, pace);
        const base = rows.find((r) => r.streams === 0 && r.pace === pace);
        const usPerStreamPerChange =
          count === 0 || !base ? null : Math.round((10 * (row.usPerChange - base.usPerChange)) / count) / 10;
        rows.push({ ...row, usPerStreamPerChange });
      }
      for (const s of streams) s.close();
      await waitFor(async () => ((await healthStreams(web.url)) ?? 0) === 0, 30_000, "streams closed");
    }
  } finally {
    await web.stop();
  }
  return rows;
}

async function memoryAfterEarlyEnds(ids: number[], progress: (line: string) => void): Promise<StreamLeakRow[]> {
  const web = new WebProcess(ONE_PROCESS);
  await web.start();
  const hot = ids[0] as number;
  const rows: StreamLeakRow[] = [];
  const record = async (step: string) =>
    rows.push({ step, rssMb: rssMbOf(web.pid), healthStreams: await healthStreams(web.url) });
  const changes = async (n: number) => {
    for (let i = 0; i < n; i += 1) await restock(web.url, hot);
  };
  try {
    const warm = await openMany(web.url, ids, 20);
    await changes(50);
    for (const s of warm) s.close();
    await new Promise((r) => setTimeout(r, 1_000));
    await record("after warm-up");
    progress(`streams: ${LEAK_REQUESTS} HEAD requests, then 250 changes`);
    await headStockStreams(web.url, ids, LEAK_REQUESTS);
    await changes(250);
    await record(`after ${LEAK_REQUESTS.toLocaleString("en")} HEAD + 250 changes`);
    progress(`streams: ${LEAK_REQUESTS} reset GETs, then 250 changes`);
    await resetStockStreams(web.url, ids, LEAK_REQUESTS);
    await changes(250);
    await new Promise((r) => setTimeout(r, 1_000));
    await record(`after ${LEAK_REQUESTS.toLocaleString("en")} reset GET + 250 changes`);
  } finally {
    await web.stop();
  }
  return rows;
}

export async function streamBenchmarks(
  progress: (line: string) => void,
): Promise<{ cpu: StreamCpuRow[]; memory: StreamLeakRow[] }> {
  const ids = await seedPage();
  const cpu = await cpuPerChange(ids, progress);
  const memory = await memoryAfterEarlyEnds(ids, progress);
  return { cpu, memory };
}
