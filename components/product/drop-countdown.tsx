"use client";

import { useEffect, useState } from "react";
import { formatUntil } from "@/components/cart/countdown-format";
import { LocalTime } from "./local-time";

/**
 * "Drop opens in 1:04:59": the time left until a drop's release, ticking each second in the
 * browser and, without JavaScript, as the server knew it when it sent the page. At the release:
 * the draw is under way, and its results reach the page by themselves.
 */
export function DropCountdown({
  releaseAt,
  opensAt,
  renderedInMs,
}: {
  releaseAt: string;
  /** The release on this page's performance.now() clock (null before hydration). */
  opensAt: number | null;
  /** Ms until the release when the page was rendered. */
  renderedInMs: number | null;
}) {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    const tick = () => setNow(performance.now());
    tick();
    const timer = setInterval(tick, 250);
    return () => clearInterval(timer);
  }, []);
  const leftMs = opensAt !== null && now !== null ? opensAt - now : (renderedInMs ?? 0);
  if (leftMs <= 0) {
    return (
      <span className="font-semibold text-stone-900" data-testid="drop-countdown">
        The drop is opening: entrants&apos; results come first.
      </span>
    );
  }
  return (
    <span data-testid="drop-countdown">
      <span className="font-semibold text-stone-900">
        Drop opens in <span className="tabular-nums">{formatUntil(leftMs)}</span>
      </span>{" "}
      <span className="text-stone-600">
        (<LocalTime iso={releaseAt} withDay />)
      </span>
    </span>
  );
}
