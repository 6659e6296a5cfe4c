import "server-only";
import { apiHeaders, errorResponse } from "./error-response";
import { assertSameOrigin } from "./request";

type Handler<C> = (request: Request, context: C) => Promise<Response>;

/** Wraps a read-only route handler: any throw becomes the JSON error shape. */
export function route<C>(handler: Handler<C>): Handler<C> {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/** Wraps a state-changing route handler: cross-site requests are refused before anything runs. */
export function mutation<C>(handler: Handler<C>): Handler<C> {
  return route(async (request, context) => {
    assertSameOrigin(request);
    return handler(request, context);
  });
}

export const json = (body: unknown, status = 200): Response =>
  Response.json(body, { status, headers: apiHeaders(status) });
