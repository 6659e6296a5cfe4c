const unit = (n: number, name: string) => `${n} ${name}${n === 1 ? "" : "s"}`;

/** "15 minutes", "2 minutes", "8 seconds", "1 minute 30 seconds", "1 hour": how long a hold lasts. */
export function holdDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  const parts = [
    hours > 0 ? unit(hours, "hour") : "",
    minutes > 0 ? unit(minutes, "minute") : "",
    rest > 0 || total === 0 ? unit(rest, "second") : "",
  ];
  return parts.filter(Boolean).join(" ");
}
