import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { formatCents } from "@/components/product/money";
import { findOrder } from "@/lib/checkout/orders";
import { mayViewOrder } from "@/lib/http/order-session";

export const metadata: Metadata = { title: "Order placed" };

export default async function OrderPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // Only the browser that placed the order may see it; to anyone else it does not exist.
  const order = (await mayViewOrder(id)) ? await findOrder(id) : null;
  if (!order) notFound();
  const placedAt = new Date(order.createdAt);
  return (
    <section aria-labelledby="order-heading" className="mx-auto max-w-2xl">
      <h1 id="order-heading" className="mb-2 text-3xl font-bold tracking-tight">
        Thank you, {order.name}!
      </h1>
      <p className="mb-6 text-stone-600">
        Order <span className="font-mono text-sm">{order.id}</span> was placed{" "}
        <time dateTime={order.createdAt}>{placedAt.toUTCString()}</time>.
      </p>
      <ul className="divide-y divide-stone-200 rounded-xl border border-stone-200 bg-white" aria-label="Items ordered">
        {order.items.map((item) => (
          <li key={item.productId} className="flex justify-between gap-4 px-4 py-3">
            <span>
              {item.quantity} × {item.name}
            </span>
            <span className="tabular-nums">{formatCents(item.quantity * item.unitPriceCents)}</span>
          </li>
        ))}
      </ul>
      <p className="mt-4 flex justify-between text-lg font-semibold">
        <span>Total</span>
        <span className="tabular-nums" data-testid="order-total">
          {formatCents(order.totalCents)}
        </span>
      </p>
      <Link href="/" className="mt-8 inline-block font-medium underline underline-offset-2">
        Continue shopping
      </Link>
    </section>
  );
}
