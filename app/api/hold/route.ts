import { callerHold } from "@/lib/http/caller-hold";
import { json, route } from "@/lib/http/handler";

/**
 * The caller's hold, as the page's header shows it: `{cart, ended, waiting}`. A page sent from
 * the render every shopper shares reads it after hydrating (components/cart/shared-render.ts).
 * The production web server answers it before Next (lib/http/door/hold-read.ts); this route
 * answers it under `npm run dev`.
 */
export const GET = route(async (request) => json(await callerHold(request.headers.get("cookie") ?? undefined)));
