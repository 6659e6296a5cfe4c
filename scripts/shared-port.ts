import cluster, { type Worker } from "node:cluster";
import type { Server as HttpServer } from "node:http";
import net from "node:net";

/**
 * One port shared by the web processes, each of which accepts its own connections through several
 * descriptors of the one listening socket.
 *
 * Why several: since libuv 1.45 (Node 20) a Node process accepts at most one connection per
 * descriptor per turn of its event loop (libuv/libuv#3696). A web process busy with a drop turns
 * its loop every 10-40 ms, so with one descriptor it accepted 25-100 connections a second while
 * shoppers and their streams arrived faster: in `npm run drop` new connections waited 3-25 s in
 * the kernel's queue while requests on kept-alive connections, the bots' among them, took 70 ms.
 * Node's round-robin cluster is no better: its primary hands each process one connection and
 * waits for that process's loop to acknowledge it before the next. Every descriptor of the
 * socket is polled on its own, so a process holding `DESCRIPTORS_PER_PROCESS` of them accepts
 * that many connections a turn. Each descriptor comes from the primary: a handle sent over the
 * IPC channel arrives as a new descriptor.
 */
export const DESCRIPTORS_PER_PROCESS = 64;

/**
 * Connections the kernel completes and keeps for the port until a process accepts them (capped by
 * net.core.somaxconn). Node's default, 511, overflows at a drop's opening rush: the kernel then
 * drops the new connection's handshake and the client sends it again 1, 3, 7, 15 s later.
 */
export const LISTEN_BACKLOG = 4_096;

const ASK = "holdcart:listen-ask";
const HANDLE = "holdcart:listen-handle";

/** A bound socket (not yet listening: the web processes listen on it, the primary never accepts). */
type BoundSocket = object;

/** In the primary: binds `port` on every address, as `server.listen(port)` would, without listening. */
export function bindPort(port: number): BoundSocket {
  // The function node's cluster uses for the same thing (lib/internal/cluster/shared_handle.js):
  // it binds a TCP handle and leaves listening to whoever receives it.
  const create = (net as unknown as { _createServerHandle?: CreateServerHandle })._createServerHandle;
  if (typeof create !== "function") throw new Error("this Node has no net._createServerHandle to bind the port with");
  const handle = create(null, port, 4, undefined, 0);
  if (typeof handle === "number") throw new Error(`cannot bind port ${port} (libuv error ${handle})`);
  return handle;
}

type CreateServerHandle = (
  address: string | null,
  port: number,
  addressType: number,
  fd: number | undefined,
  flags: number,
) => BoundSocket | number;

/** In the primary: answers each web process's ask with `DESCRIPTORS_PER_PROCESS` descriptors of `socket`. */
export function servePort(socket: BoundSocket): void {
  cluster.on("message", (worker: Worker, message: { type?: string }) => {
    if (message?.type !== ASK) return;
    for (let i = 0; i < DESCRIPTORS_PER_PROCESS; i += 1) {
      worker.send({ type: HANDLE }, socket as net.Socket);
    }
  });
}

/**
 * In a web process of a cluster: asks the primary for the port's descriptors and accepts on each.
 * `server` listens on the first itself (so its connection tracking, timeouts and `close` work as
 * with any listen); the others hand their connections to it. Resolves once all of them listen;
 * the returned function stops the others accepting (`server.close()` stops the first).
 */
export function acceptFromPrimary(server: HttpServer): Promise<() => void> {
  const handles: unknown[] = [];
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string }, handle: unknown) => {
      if (message?.type !== HANDLE || !handle) return;
      handles.push(handle);
      if (handles.length < DESCRIPTORS_PER_PROCESS) return;
      process.off("message", onMessage);
      const [first, ...rest] = handles;
      const others = rest.map(() => net.createServer((socket) => server.emit("connection", socket)));
      const listening = [server, ...others].map(
        (listener, i) =>
          new Promise<void>((done) => {
            // Only until it listens: a later error is the process's to die of, as with any server.
            listener.once("error", reject);
            listener.listen(i === 0 ? first : rest[i - 1], LISTEN_BACKLOG, () => {
              listener.off("error", reject);
              done();
            });
          }),
      );
      void Promise.all(listening).then(() => resolve(() => others.forEach((l) => l.close())));
    };
    process.on("message", onMessage);
    process.send?.({ type: ASK });
  });
}
