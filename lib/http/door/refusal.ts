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

/**
 * How long the door keeps a client over its rate waiting for its 429. A refusal answered at once
 * invites the next request at once: in `npm run drop` 20 bots looping on their adds were refused
 * 127,000 times in a minute, a tenth of the web's CPU and half the load generator's. Held this
 * long, each of a bot's connections sends two requests a second; a person over the budget (who
 * should wait `Retry-After` seconds anyway) notices nothing.
 */
export const OVER_RATE_ANSWER_DELAY_MS = 500;

/**
 * Refuses a client over its rate: 429 rate_limited, retry after `retryAfter` seconds, answered
 * after OVER_RATE_ANSWER_DELAY_MS (nothing is sent if the client leaves first).
 */
export function refuseOverRate(res: ServerResponse, retryAfter: number): void {
  const timer = setTimeout(() => {
    res.off("close", forget);
    if (!res.destroyed) answerOverRate(res, retryAfter);
  }, OVER_RATE_ANSWER_DELAY_MS);
  const forget = () => clearTimeout(timer);
  res.once("close", forget);
}

function answerOverRate(res: ServerResponse, retryAfter: number): void {
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
