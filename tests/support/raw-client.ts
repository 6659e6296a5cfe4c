import { request } from "node:http";

export type RawResponse = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body's bytes as sent (compressed when the answer says so). */
  bytes: Buffer;
};

/**
 * One HTTP request from a chosen loopback source address (127.0.0.2, …), so the server sees a
 * distinct client per address, with any headers a client might forge. No cookie jar: pass one.
 */
export function rawRequest(
  url: string,
  {
    method = "GET",
    headers = {},
    body,
    from,
  }: { method?: string; headers?: Record<string, string>; body?: unknown; from?: string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      url,
      {
        method,
        localAddress: from,
        headers: { ...(payload ? { "content-type": "application/json" } : {}), ...headers },
        timeout: 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const bytes = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString("utf8"), bytes });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end(payload);
  });
}

/** The `name=value` of a cookie the response set, for the next request's Cookie header. */
export const cookieFrom = (response: RawResponse, name: string): string | undefined =>
  [response.headers["set-cookie"] ?? []]
    .flat()
    .map((c) => c.split(";")[0] ?? "")
    .find((c) => c.startsWith(`${name}=`));
