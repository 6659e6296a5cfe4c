import "server-only";
import type { ServerResponse } from "node:http";
import { apiHeaders, describeError } from "../error-response";
import { ShopError } from "../../base/shop-error";

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

/** Refusals waiting for their answer, oldest first (each is due OVER_RATE_ANSWER_DELAY_MS after it came). */
const held: { res: ServerResponse; retryAfter: number; due: number }[] = [];
let ticker: ReturnType<typeof setInterval> | null = null;
/** How often the held refusals are looked at: a refusal is answered at most this late after its delay. */
const TICK_MS = 50;

/**
 * Refuses a client over its rate: 429 rate_limited, retry after `retryAfter` seconds, answered
 * after OVER_RATE_ANSWER_DELAY_MS. One timer for all of them, so holding a refusal back costs a
 * push on a list; a client that left meanwhile is skipped (its socket is gone; the entry goes at
 * its due time, so nothing outlives the delay).
 */
export function refuseOverRate(res: ServerResponse, retryAfter: number): void {
  held.push({ res, retryAfter, due: performance.now() + OVER_RATE_ANSWER_DELAY_MS });
  ticker ??= setInterval(answerDue, TICK_MS);
}

function answerDue(): void {
  const now = performance.now();
  let due = 0;
  while (due < held.length && held[due]!.due <= now) {
    const { res, retryAfter } = held[due]!;
    if (!res.destroyed) answerOverRate(res, retryAfter);
    due += 1;
  }
  held.splice(0, due);
  if (held.length === 0 && ticker) {
    clearInterval(ticker);
    ticker = null;
  }
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
