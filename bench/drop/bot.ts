/**
 * A bot that behaves like a bot (denial of inventory, OWASP OAT-021): from one address it
 * hammers add-to-cart in a loop for as many units as one client may hold, dropping its cookies
 * before each try so every try opens a new cart, with a forged X-Forwarded-For on every request;
 * it polls the product for units coming back and grabs them; it tries to keep what it holds
 * longer; it opens streams by the hundred and abandons them; in a drop decided by a draw it
 * enters the draw again and again, a fresh identity (cookies) each time; it never checks out.
 *
 * Each activity is a client of its own (its own cookie jar and connections) from the bot's one
 * address: to the store they are all the same client, which is the point of the per-client caps.
 */
import { HttpClient } from "./client";
import { botAddress, forgedAddress } from "./addresses";
import { seeded, sleep } from "./random";
import { streamPath, type Sale } from "./sale";

export type BotLog = {
  address: string;
  adds: number;
  holdsGranted: number;
  unitsGranted: number;
  extensionsGranted: number;
  streamsTried: number;
  streamsAccepted: number;
  /** Tries to enter the line or the draw, and those answered 201. */
  entryTries: number;
  entriesAccepted: number;
};

const POLL_MS = 250;
const EXTEND_EVERY_MS = 2_000;
const STREAM_EVERY_MS = 3_000;
const KEEP_CARTS = 10;

export type BotOptions = {
  /** Add-to-cart loops at once. */
  loops: number;
  /** Streams opened at once, every few seconds, and abandoned (0: none). */
  streamBurst: number;
};

export async function playBot(sale: Sale, index: number, seed: number, opts: BotOptions): Promise<BotLog> {
  const rnd = seeded(seed);
  const address = botAddress(index);
  const log: BotLog = {
    address,
    adds: 0,
    holdsGranted: 0,
    unitsGranted: 0,
    extensionsGranted: 0,
    streamsTried: 0,
    streamsAccepted: 0,
    entryTries: 0,
    entriesAccepted: 0,
  };
  const closed = sale.closed;
  const clients: HttpClient[] = [];
  const client = () => {
    const c = new HttpClient(sale.base, address, "bot", sale.recorder, 4);
    clients.push(c);
    return c;
  };
  const forged = () => ({ "x-forwarded-for": forgedAddress(rnd) });
  // Cart cookies of holds it got, to keep them longer.
  const kept: string[] = [];

  const grab = async (c: HttpClient, quantity: number) => {
    c.forgetCookies(); // a new cart every time
    const reply = await c.call("add", "POST", "/api/cart/items", {
      body: { productId: sale.productId, quantity },
      headers: forged(),
    });
    log.adds += 1;
    if (reply.status === 200) {
      log.holdsGranted += 1;
      log.unitsGranted += quantity;
      const cart = c.cookie("cart");
      if (cart) kept.push(cart);
      if (kept.length > KEEP_CARTS) kept.shift();
    }
    // A refused connection would spin: back off a moment only then.
    if (reply.status === 0) await sleep(50, closed);
  };

  const hammer = async () => {
    const c = client();
    while (!closed.aborted) await grab(c, sale.maxQtyPerLine);
  };

  const poll = async () => {
    const c = client();
    while (!closed.aborted) {
      const page = await c.call("page", "GET", `/api/products/${sale.slug}`, { headers: forged() });
      const available = Number(page.body?.product?.available ?? 0);
      if (available > 0) await grab(c, Math.min(available, sale.maxQtyPerLine));
      await sleep(POLL_MS, closed);
    }
  };

  // The draw: every try a new identity, as many as it can send. At the close it leaves the line
  // with each identity that got in, as the shoppers do, so the sale ends with nobody waiting.
  const entered: string[] = [];
  const enter = async () => {
    const c = client();
    while (!closed.aborted && sale.releaseAtMs !== null) {
      c.forgetCookies();
      const reply = await c.call("join", "POST", "/api/waitlist", {
        body: { productId: sale.productId, quantity: sale.maxQtyPerLine },
        headers: forged(),
      });
      log.entryTries += 1;
      if (reply.status === 201) {
        log.entriesAccepted += 1;
        const waiter = c.cookie("waiter");
        if (waiter) entered.push(waiter);
      }
      await sleep(POLL_MS, closed);
    }
    for (const waiter of entered) {
      c.forgetCookies();
      c.setCookie("waiter", waiter);
      // Its other loops have stopped: the door's budget refills, and a refusal says when.
      for (let tries = 0; tries < 10; tries += 1) {
        const left = await c.call("leave", "DELETE", `/api/waitlist/${sale.productId}`, { headers: forged() });
        if (left.status !== 429 && left.status !== 503 && left.status !== 0) break;
        await sleep(Math.max(0.2, left.retryAfterS ?? 1) * 1_000);
      }
    }
  };

  const extend = async () => {
    const c = client();
    while (!closed.aborted) {
      await sleep(EXTEND_EVERY_MS, closed);
      for (const cart of [...kept]) {
        if (closed.aborted) break;
        c.forgetCookies();
        c.setCookie("cart", cart);
        const reply = await c.call("extend", "POST", "/api/cart/extend", { headers: forged() });
        if (reply.status === 200) log.extensionsGranted += 1;
        if (reply.status === 410 || reply.status === 404) kept.splice(kept.indexOf(cart), 1);
      }
    }
  };

  const streams = async () => {
    const c = client();
    await sleep(rnd() * STREAM_EVERY_MS, closed);
    while (!closed.aborted && opts.streamBurst > 0) {
      const statuses = await Promise.all(
        Array.from({ length: opts.streamBurst }, (_, n) => c.abandonStream(streamPath(sale), n % 2 === 0, forged())),
      );
      log.streamsTried += statuses.length;
      log.streamsAccepted += statuses.filter((s) => s === 200).length;
      await sleep(STREAM_EVERY_MS, closed);
    }
  };

  try {
    await Promise.all([...Array.from({ length: opts.loops }, hammer), poll(), extend(), streams(), enter()]);
  } finally {
    for (const c of clients) c.close();
  }
  return log;
}
