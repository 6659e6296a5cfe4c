"use client";

import { useEffect, useRef, useState } from "react";
import { formatRemaining } from "@/components/cart/countdown-format";
import type { DashboardSnapshot, DrawCounts } from "@/lib/admin/dashboard-types";
import { signOutAction } from "./actions";
import { COLORS, Heartbeat, HoldsPerMinute, ReleaseLag } from "./charts";
import { LocalTime } from "@/components/product/local-time";
import { DropForm, LimitForm } from "./drop-forms";
import { RestockForm } from "./restock-form";
import { formatCents } from "@/lib/base/money";
import { ActiveHolds, describeItems } from "./active-holds";
import { ColumnHeads } from "./column-heads";

type Connection = "live" | "reconnecting" | "problem";

/** A drawn drop's entrants by what came of them, and the units sold of the product. */
function DrawFigures({ draw, sold }: { draw: DrawCounts; sold: number }) {
  return (
    <dl className="grid grid-cols-[auto_auto] gap-x-3 text-xs">
      <dt>Entrants</dt>
      <dd>{draw.entrants}</dd>
      <dt>Offers made</dt>
      <dd>{draw.offered + draw.claimed + draw.passed_on}</dd>
      <dt>Claimed</dt>
      <dd>{draw.claimed}</dd>
      <dt>Passed on</dt>
      <dd>{draw.passed_on}</dd>
      <dt>Still in line</dt>
      <dd>{draw.waiting}</dd>
      <dt>Units sold</dt>
      <dd>{sold}</dd>
    </dl>
  );
}
const HEARTBEAT_POINTS = 300;

/** The operator's live view: one server-sent-event stream, a snapshot each second. */
export function Dashboard({ initial }: { initial: DashboardSnapshot }) {
  const [snapshot, setSnapshot] = useState(initial);
  const [connection, setConnection] = useState<Connection>("reconnecting");
  const [beats, setBeats] = useState<{ t: number; ageS: number }[]>([]);
  const lastAt = useRef(0);

  useEffect(() => {
    const source = new EventSource("/api/admin/stream");
    source.onmessage = (event: MessageEvent<string>) => {
      const next = JSON.parse(event.data) as DashboardSnapshot;
      setSnapshot(next);
      setConnection("live");
      const freshest = next.workers[0];
      if (freshest && next.at > lastAt.current) {
        lastAt.current = next.at;
        setBeats((b) => [...b.slice(-(HEARTBEAT_POINTS - 1)), { t: next.at / 1000, ageS: freshest.lastSeenMs / 1000 }]);
      }
    };
    source.addEventListener("problem", () => setConnection("problem"));
    source.onerror = () => setConnection("reconnecting");
    return () => source.close();
  }, []);

  const { products, holds, orders, series, lag, workers, ledger } = snapshot;
  const event = series.released.event.reduce((a, b) => a + b, 0);
  const sweep = series.released.sweep.reduce((a, b) => a + b, 0);
  const eventShare = event + sweep > 0 ? Math.round((100 * event) / (event + sweep)) : null;
  const freshest = workers[0];

  return (
    <div className="space-y-8">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-3xl font-bold tracking-tight">Operator view</h1>
          <p className="text-sm text-stone-600">
            <span
              data-testid="connection"
              className={connection === "live" ? "font-medium text-emerald-700" : "font-medium text-amber-700"}
            >
              {connection === "live"
                ? "● Live"
                : connection === "problem"
                  ? "● Database unavailable, retrying"
                  : "● Connecting…"}
            </span>{" "}
            · {holds.active} active holds · {holds.overdue} overdue
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <a
            href="#catalog"
            className="rounded-md border border-stone-300 bg-white px-3 py-2 font-medium hover:bg-stone-100"
          >
            Catalog
          </a>
          <form action={signOutAction}>
            <button
              type="submit"
              className="rounded-md border border-stone-300 bg-white px-3 py-2 font-medium hover:bg-stone-100"
            >
              Sign out
            </button>
          </form>
        </div>
      </div>

      <section aria-labelledby="ledger-heading" data-testid="ledger" data-status={ledger.status}>
        <h2 id="ledger-heading" className="sr-only">
          Ledger
        </h2>
        {ledger.status === "ok" ? (
          <p className="rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-emerald-900">
            <strong>Ledger adds up.</strong> For every product available + in carts + sold = on hand, and in carts = the
            active holds.
          </p>
        ) : (
          <div role="alert" className="rounded-md border border-red-300 bg-red-50 px-4 py-3 text-red-900">
            <p className="font-semibold">
              Ledger drift: {ledger.drift.length} product(s) do not add up. Nothing was changed; investigate.
            </p>
            <ul className="mt-1 list-disc pl-5 text-sm">
              {ledger.drift.map((d) => (
                <li key={d.productId}>
                  {d.slug}: {d.problems.join("; ")}
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>

      <section aria-labelledby="stock-heading" className="space-y-3">
        <h2 id="stock-heading" className="text-xl font-semibold">
          Stock
        </h2>
        <div className="relative overflow-x-auto rounded-lg border border-stone-200 bg-white">
          <table className="w-full min-w-[44rem] text-left text-sm tabular-nums">
            <thead className="bg-stone-100 text-stone-700">
              <tr>
                <th scope="col" className="px-3 py-2">
                  Product
                </th>
                <th scope="col" className="px-3 py-2">
                  On hand
                </th>
                <th scope="col" className="px-3 py-2">
                  Available
                </th>
                <th scope="col" className="px-3 py-2">
                  In carts
                </th>
                <th scope="col" className="px-3 py-2">
                  Sold
                </th>
                <th scope="col" className="px-3 py-2">
                  Waiting
                </th>
                <th scope="col" className="px-3 py-2">
                  Next release
                </th>
                {/* Pinned to the right edge: on a phone the table scrolls under it, the control stays in reach. */}
                <th scope="col" className="sticky right-0 border-l border-stone-200 bg-stone-100 px-3 py-2">
                  Restock
                </th>
              </tr>
            </thead>
            <tbody>
              {products.map((p) => (
                <tr key={p.id} data-testid={`product-${p.slug}`} className="border-t border-stone-100 align-top">
                  <th scope="row" className="px-3 py-2 font-medium">
                    {p.name}
                  </th>
                  <td className="px-3 py-2" data-testid="on-hand">
                    {p.onHand}
                  </td>
                  <td className="px-3 py-2" data-testid="available">
                    {p.available}
                  </td>
                  <td className="px-3 py-2" data-testid="in-carts">
                    {p.reserved}
                  </td>
                  <td className="px-3 py-2" data-testid="sold">
                    {p.sold}
                  </td>
                  <td className="px-3 py-2" data-testid="waiting">
                    {p.waiting}
                  </td>
                  <td className="px-3 py-2">
                    {p.nextReleaseInMs === null
                      ? "—"
                      : p.nextReleaseInMs <= 0
                        ? "now"
                        : `in ${formatRemaining(p.nextReleaseInMs)}`}
                  </td>
                  <td className="sticky right-0 border-l border-stone-200 bg-white px-3 py-2">
                    <RestockForm productId={p.id} name={p.name} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="drops-heading" className="space-y-3">
        <h2 id="drops-heading" className="text-xl font-semibold">
          Drops and limits
        </h2>
        <p className="text-sm text-stone-600">
          A drop cannot be held before it opens. Everyone who enters its draw before then is put in a random order when
          it opens, and the units are offered to them in that order.
        </p>
        <div className="relative overflow-x-auto rounded-lg border border-stone-200 bg-white">
          <table className="w-full min-w-[44rem] text-left text-sm tabular-nums">
            <thead className="bg-stone-100 text-stone-700">
              <tr>
                <th scope="col" className="px-3 py-2">
                  Product
                </th>
                <th scope="col" className="px-3 py-2">
                  Limit per shopper
                </th>
                <th scope="col" className="px-3 py-2">
                  Drop
                </th>
                <th scope="col" className="px-3 py-2">
                  Draw
                </th>
              </tr>
            </thead>
            <tbody>
              {products.map((p) => {
                const drop = p.drop;
                const pending = drop !== null && !drop.opened;
                return (
                  <tr key={p.id} data-testid={`drop-${p.slug}`} className="border-t border-stone-100 align-top">
                    <th scope="row" className="px-3 py-2 font-medium">
                      {p.name}
                    </th>
                    <td className="px-3 py-2">
                      <LimitForm productId={p.id} name={p.name} limit={p.perShopperLimit} />
                    </td>
                    <td className="px-3 py-2">
                      {drop && (
                        <p className="mb-1" data-testid="drop-state">
                          {pending ? "Opens" : "Opened"} <LocalTime iso={drop.releaseAt} withDay />
                        </p>
                      )}
                      <DropForm productId={p.id} name={p.name} releaseAt={drop?.releaseAt ?? null} pending={pending} />
                    </td>
                    <td className="px-3 py-2" data-testid="draw">
                      {drop === null ? (
                        "—"
                      ) : pending ? (
                        `${p.waiting} entered`
                      ) : (
                        <DrawFigures draw={drop.draw} sold={p.sold} />
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>

      <ActiveHolds holds={holds} />

      <section aria-labelledby="orders-heading" className="space-y-3">
        <h2 id="orders-heading" className="text-xl font-semibold">
          Recent orders
        </h2>
        {orders.length === 0 ? (
          <p className="text-stone-600">No order has been placed yet.</p>
        ) : (
          <div className="relative max-h-80 overflow-auto rounded-lg border border-stone-200 bg-white">
            <table className="w-full text-left text-sm tabular-nums" data-testid="orders">
              <thead className="sticky top-0 bg-stone-100 text-stone-700">
                <ColumnHeads names={["Order", "Placed", "Items", "Total", "E-mail"]} />
              </thead>
              <tbody>
                {orders.map((o) => (
                  <tr key={o.number} className="border-t border-stone-100 align-top">
                    <th scope="row" className="px-3 py-1.5 font-mono font-medium">
                      #{o.number}
                    </th>
                    <td className="px-3 py-1.5 whitespace-nowrap">
                      <LocalTime iso={o.placedAt} withDay />
                    </td>
                    <td className="px-3 py-1.5">{describeItems(o.items)}</td>
                    <td className="px-3 py-1.5">{formatCents(o.totalCents)}</td>
                    <td className="px-3 py-1.5 break-all">{o.email}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <div className="grid gap-6 lg:grid-cols-2">
        <section
          aria-labelledby="flow-heading"
          className="min-w-0 space-y-2 rounded-lg border border-stone-200 bg-white p-4 lg:col-span-2"
        >
          <h2 id="flow-heading" className="text-xl font-semibold">
            Holds per minute, last hour
          </h2>
          <HoldsPerMinute series={series} />
        </section>
        <section
          aria-labelledby="lag-heading"
          className="min-w-0 space-y-2 rounded-lg border border-stone-200 bg-white p-4"
        >
          <h2 id="lag-heading" className="text-xl font-semibold">
            Release lag, last hour
          </h2>
          <p className="text-sm text-stone-600">From a hold&rsquo;s deadline to its units back in stock.</p>
          <ReleaseLag lag={lag} />
        </section>
        <section
          aria-labelledby="worker-heading"
          className="min-w-0 space-y-2 rounded-lg border border-stone-200 bg-white p-4"
        >
          <h2 id="worker-heading" className="text-xl font-semibold">
            Workers
          </h2>
          <p
            data-testid="heartbeat"
            className={`text-sm ${!freshest || freshest.lastSeenMs > 15_000 ? "font-semibold text-red-700" : "text-stone-700"}`}
          >
            {freshest
              ? `Last heartbeat ${(freshest.lastSeenMs / 1000).toFixed(1)} s ago · ${workers.filter((w) => w.lastSeenMs < 15_000).length} alive`
              : "No worker has ever reported."}
          </p>
          <Heartbeat points={beats} />
          <p className="text-sm text-stone-700">
            Released by the expiry event vs the sweeper, last hour: {event} event · {sweep} sweep
            {eventShare === null ? "" : ` (${eventShare}% event)`}
          </p>
          <div className="flex h-3 w-full overflow-hidden rounded bg-stone-200" aria-hidden="true">
            <div style={{ width: `${eventShare ?? 0}%`, background: COLORS.event }} />
            <div style={{ width: `${eventShare === null ? 0 : 100 - eventShare}%`, background: COLORS.sweep }} />
          </div>
        </section>
      </div>
    </div>
  );
}
