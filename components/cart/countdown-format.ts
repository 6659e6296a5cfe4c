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
