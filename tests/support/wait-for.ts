type Truthy<T> = Exclude<T, false | null | undefined | 0 | "">;

/**
 * Polls `condition` until it returns something truthy, and returns that; fails after `timeout` ms
 * naming `what`. How tests wait for what other processes and clocks do (a worker releasing, a
 * deadline passing, load getting going): on a slow machine the wait is longer, never wrong.
 * A fixed sleep guesses how long that takes, and a wall-clock bound on the wait is a benchmark
 * (`npm run bench`), not a test: `timeout` is only how long to wait before calling it a failure,
 * so keep it generous.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { timeout, interval = 50, what = "the condition" }: { timeout: number; interval?: number; what?: string },
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await condition();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
