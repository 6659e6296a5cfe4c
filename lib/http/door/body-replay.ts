import { IncomingMessage } from "node:http";

/**
 * Reading a request's body at the door, and handing it to Next to read again. A stream read once
 * counts as disturbed (`readableDidRead`), and Next, building a fetch Request from it, refuses a
 * disturbed body; so Next is given a fresh message instead: the same connection, request line and
 * headers, the body already in it and ended.
 */

/** The body of declared `length`, read whole; null when the client went away first. */
export function readBody(req: IncomingMessage, length: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    req.once("end", () => resolve(size === length ? Buffer.concat(chunks) : null));
    req.once("close", () => resolve(null)); // after 'end' too, when it settles nothing
    req.once("error", () => resolve(null));
  });
}

/** `req` again, with `body` to be read as if it had just arrived. */
export function replayed(req: IncomingMessage, body: Buffer): IncomingMessage {
  const again = new IncomingMessage(req.socket);
  again.httpVersionMajor = req.httpVersionMajor;
  again.httpVersionMinor = req.httpVersionMinor;
  again.httpVersion = req.httpVersion;
  again.method = req.method;
  again.url = req.url;
  again.headers = req.headers;
  again.rawHeaders = req.rawHeaders;
  again.push(body);
  again.push(null);
  again.complete = true;
  return again;
}
