import "server-only";
import type { ServerResponse } from "node:http";
import { apiHeaders, describeError } from "../error-response";
import { ShopError } from "../../shop-error";

/** Answers a request the door refuses, as the routes answer their own errors (lib/http/error-response.ts). */
export function writeRefusal(res: ServerResponse, error: unknown, headers: Record<string, string> = {}): void {
  const { status, headers: answerHeaders, body } = answerOf(error);
  res.writeHead(status, { ...answerHeaders, ...headers });
  res.end(body);
}

function answerOf(error: unknown) {
  const { status, body } = describeError(error);
  return {
    status,
    headers: { ...apiHeaders(status, body), "content-type": "application/json" },
    body: JSON.stringify(body),
  };
}

// A client over its rate is refused again and again, each time with one of a few Retry-After
// values: the answer is built once per value, so a refusal allocates no error and no JSON.
const overRateAnswers = new Map<number, ReturnType<typeof answerOf>>();

/** Refuses a client over its rate: 429 rate_limited, retry after `retryAfter` seconds. */
export function refuseOverRate(res: ServerResponse, retryAfter: number): void {
  let answer = overRateAnswers.get(retryAfter);
  if (!answer) {
    answer = answerOf(
      new ShopError("rate_limited", "Too many requests from your network. Please wait a moment and try again.", {
        retryAfter,
      }),
    );
    overRateAnswers.set(retryAfter, answer);
  }
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}
