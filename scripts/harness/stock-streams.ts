import { Agent, request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";
import { connect } from "node:net";

export type StockEvent = { productId: number; available: number } & Record<string, unknown>;

/**
 * The n-th loopback source address (127.0.0.2 … 127.0.0.251, 127.0.1.2 …). Linux answers on all of
 * 127/8, so each address is another client to the server, as another shopper's machine would be.
 */
export function loopbackAddress(n: number): string {
  return `127.0.${Math.floor(n / 250)}.${2 + (n % 250)}`;
}

const streamPath = (productIds: readonly number[]) => `/api/stock/stream?ids=${productIds.join(",")}`;

/** A page's live stock stream, read as a browser's EventSource reads it. */
export class StockStream {
  /** Every `data:` list received, in order (only when opened with `keep`). */
  readonly events: StockEvent[][] = [];
  /** The latest `available` seen per product. */
  readonly latest = new Map<number, number>();
  /** `data:` messages received. */
  messages = 0;
  /** Set when the connection ended, from either side. */
  closed = false;
  private buffer = "";
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly request: ClientRequest,
    readonly response: IncomingMessage,
    keep: boolean,
  ) {
    response.setEncoding("utf8");
    response.on("data", (chunk: string) => {
      this.buffer += chunk;
      if (response.statusCode !== 200) return; // a refusal's JSON body, read by text()
      for (let end = this.buffer.indexOf("\n\n"); end >= 0; end = this.buffer.indexOf("\n\n")) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        const data = block
          .split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).trim())
          .join("\n");
        if (!data) continue;
        const list = JSON.parse(data) as StockEvent[];
        this.messages += 1;
        if (keep) this.events.push(list);
        for (const change of list) this.latest.set(change.productId, change.available);
      }
      this.notify();
    });
    const ended = () => {
      this.closed = true;
      this.notify();
    };
    response.on("close", ended);
    response.on("error", ended);
  }

  get status(): number {
    return this.response.statusCode ?? 0;
  }

  header(name: string): string | undefined {
    const value = this.response.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(", ") : value;
  }

  /** The whole body of a refused stream (a JSON error). */
  async text(): Promise<string> {
    if (!this.response.complete && !this.closed) {
      await new Promise((resolve) => {
        this.response.once("end", resolve);
        this.response.once("close", resolve);
      });
    }
    return this.buffer;
  }

  /** Resolves once `condition` holds, checked on every message; rejects after `timeoutMs`. */
  until(condition: (stream: StockStream) => boolean, timeoutMs = 10_000): Promise<void> {
    if (condition(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (condition(this)) done(null);
        else if (this.closed) done(new Error("the stream closed first"));
      };
      const timer = setTimeout(() => done(new Error(`no such message within ${timeoutMs} ms`)), timeoutMs);
      const done = (error: Error | null) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      this.waiters.add(check);
    });
  }

  close(): void {
    this.request.destroy();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** Opens a stock stream; resolves with it once the response headers arrived (any status). */
export function openStockStream(
  baseUrl: string,
  productIds: readonly number[],
  { localAddress, keep = false }: { localAddress?: string; keep?: boolean } = {},
): Promise<StockStream> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${baseUrl}${streamPath(productIds)}`, {
      agent: false,
      localAddress,
      headers: { accept: "text/event-stream" },
    });
    request.on("response", (response) => resolve(new StockStream(request, response, keep)));
    request.on("error", reject);
    request.end();
  });
}

/** Answers of `HEAD` on the stream route, `count` of them, `concurrency` at a time. */
export async function headStockStreams(
  baseUrl: string,
  productIds: readonly number[],
  count: number,
  concurrency = 25,
): Promise<Record<number, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses: Record<number, number> = {};
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        const status = await new Promise<number>((resolve, reject) => {
          const request = httpRequest(`${baseUrl}${streamPath(productIds)}`, { method: "HEAD", agent }, (response) => {
            response.resume();
            response.on("end", () => resolve(response.statusCode ?? 0));
          });
          request.on("error", reject);
          request.end();
        });
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  agent.destroy();
  return statuses;
}

/**
 * Stream requests the client resets (TCP RST) at once: even ones right after sending the request,
 * before any answer; odd ones as soon as the response headers arrive. Each from its own loopback
 * address in turn, so the per-client cap does not refuse them before they reach the subscription.
 */
export async function resetStockStreams(
  baseUrl: string,
  productIds: readonly number[],
  count: number,
  concurrency = 25,
): Promise<{ beforeResponse: number; afterHeaders: number }> {
  const { hostname, port } = new URL(baseUrl);
  const head = `GET ${streamPath(productIds)} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`;
  const counts = { beforeResponse: 0, afterHeaders: 0 };
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const n = next++;
        await new Promise<void>((resolve) => {
          const socket = connect({ host: hostname, port: Number(port), localAddress: loopbackAddress(n % 200) });
          socket.on("error", () => resolve());
          socket.on("close", () => resolve());
          socket.on("connect", () => {
            socket.write(head);
            if (n % 2 === 0) {
              counts.beforeResponse += 1;
              socket.resetAndDestroy();
            } else {
              socket.once("data", () => {
                counts.afterHeaders += 1;
                socket.resetAndDestroy();
              });
            }
          });
        });
      }
    }),
  );
  return counts;
}
