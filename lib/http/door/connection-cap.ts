import type { Server } from "node:http";
import type { Socket } from "node:net";

/**
 * Caps the connections one client may hold open to this process: the connection over the cap is
 * closed as it arrives, before a byte of it is read, so one address cannot hold thousands of
 * sockets (idle keep-alives, half-sent requests) that everyone else's requests then wait behind.
 * Counted per process: in a cluster each process has its own connections to bound.
 */
export function capConnectionsPerClient(server: Server, perClient: number, clientOf: (socket: Socket) => string): void {
  const open = new Map<string, number>();
  server.on("connection", (socket: Socket) => {
    const client = clientOf(socket);
    const count = (open.get(client) ?? 0) + 1;
    if (count > perClient) {
      socket.destroy();
      return;
    }
    open.set(client, count);
    socket.once("close", () => {
      const left = (open.get(client) ?? 1) - 1;
      if (left > 0) open.set(client, left);
      else open.delete(client);
    });
  });
}
