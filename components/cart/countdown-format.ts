const pad = (n: number) => String(n).padStart(2, "0");

/** "14:32": whole seconds left, rounded up, never below zero. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${pad(total % 60)}`;
}

/** "14 minutes 32 seconds", for screen readers. */
export function spokenRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  const secondsText = `${seconds} second${seconds === 1 ? "" : "s"}`;
  return minutes > 0 ? `${minutes} minute${minutes === 1 ? "" : "s"} ${secondsText}` : secondsText;
}

/** "1:04:59" (or "4:59" under an hour): whole seconds until a moment, rounded up, never below zero. */
export function formatUntil(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  return hours > 0 ? `${hours}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}` : formatRemaining(ms);
}

/**
 * Milliseconds left on a hold at `clock`, given its `deadline` on the same monotonic clock and
 * the `ttlMs` the server read. Never more than `ttlMs`: the clock is the page's last tick, which
 * can be older than the moment the deadline was laid down, and a 90 s hold must not show 1:31.
 */
export function remainingAt(deadline: number, ttlMs: number, clock: number | null): number {
  return clock === null ? ttlMs : Math.max(0, Math.min(ttlMs, deadline - clock));
}

/** Holds shorter than this are told to the second ("until 12:41:30"): minutes would blur them. */
export const SECONDS_MATTER_BELOW_S = 600;
