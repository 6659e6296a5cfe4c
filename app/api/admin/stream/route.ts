import { openAdminStream } from "@/lib/admin/admin-stream";
import { assertAdmin } from "@/lib/admin/auth";
import { route } from "@/lib/http/handler";
import { clientIp } from "@/lib/http/request";

const HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store, no-transform",
  "x-accel-buffering": "no",
};

/** The operator's dashboard, live (server-sent events); 401 without an admin session or token. */
export const GET = route(async (request) => {
  const untilMs = await assertAdmin(request.headers);
  const stream = await openAdminStream({ client: clientIp(request.headers), signal: request.signal, untilMs });
  return new Response(stream, { headers: HEADERS });
});

/** Headers only: without it Next answers HEAD by running GET and leaving the stream open. */
export const HEAD = route(async (request) => {
  await assertAdmin(request.headers);
  return new Response(null, { headers: HEADERS });
});
