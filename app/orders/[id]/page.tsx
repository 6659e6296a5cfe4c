import type { Metadata } from "next";
import Image from "next/image";
import { ShopLink } from "@/components/layout/shop-link";
import { notFound } from "next/navigation";
import { PlacedAt } from "@/components/orders/placed-at";
import { formatCents } from "@/lib/base/money";
import { findOrder } from "@/lib/checkout/orders";
import { mayViewOrder } from "@/lib/http/order-session";

export const metadata: Metadata = { title: "Order placed" };

export default async function OrderPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // Only the browser that placed the order may see it; to anyone else it does not exist.
  const order = (await mayViewOrder(id)) ? await findOrder(id) : null;
  if (!order) notFound();
  const units = order.items.reduce((n, item) => n + item.quantity, 0);
  return (
    <section aria-labelledby="order-heading" className="mx-auto max-w-2xl">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:gap-4">
        <span className="flex size-12 shrink-0 items-center justify-center rounded-full bg-emerald-100 text-emerald-700">
          <svg aria-hidden viewBox="0 0 24 24" className="size-6 fill-none stroke-current" strokeWidth={2.2}>
            <path d="m5 12.5 4.5 4.5L19 7.5" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
        </span>
        <div>
          <p className="text-sm font-medium text-stone-500">Order #{order.number}</p>
          <h1 id="order-heading" className="text-3xl font-bold tracking-tight">
            Thank you, {order.name}!
          </h1>
        </div>
      </div>
      <p className="mt-4 text-stone-600">Your order is confirmed: what you held in your cart is yours now.</p>

      <div className="mt-8 overflow-hidden rounded-xl border border-stone-200 bg-white shadow-sm">
        <dl className="grid grid-cols-2 gap-4 border-b border-stone-200 bg-stone-50 px-5 py-4 text-sm sm:grid-cols-3">
          <div>
            <dt className="text-stone-500">Order number</dt>
            <dd className="font-mono font-medium text-stone-900">#{order.number}</dd>
          </div>
          <div>
            <dt className="text-stone-500">Items</dt>
            <dd className="font-medium text-stone-900">{units}</dd>
          </div>
          <div className="col-span-2 sm:col-span-1">
            <dt className="text-stone-500">Placed</dt>
            <dd className="font-medium text-stone-900">
              <PlacedAt iso={order.createdAt} />
            </dd>
          </div>
        </dl>
        <ul className="divide-y divide-stone-200" aria-label="Items ordered">
          {order.items.map((item) => (
            <li key={item.productId} className="flex items-center gap-4 px-5 py-4">
              <Image
                src={item.imageUrl}
                alt=""
                width={64}
                height={64}
                unoptimized
                className="size-16 shrink-0 rounded-lg border border-stone-200 bg-stone-100 object-cover"
              />
              <div className="min-w-0 flex-1">
                <p className="font-medium">
                  <span className="text-stone-500">{item.quantity} ×</span>{" "}
                  <ShopLink href={`/products/${item.slug}`} className="hover:underline">
                    {item.name}
                  </ShopLink>
                </p>
                <p className="text-sm text-stone-500">{formatCents(item.unitPriceCents)} each</p>
              </div>
              <p className="font-medium tabular-nums">{formatCents(item.quantity * item.unitPriceCents)}</p>
            </li>
          ))}
        </ul>
        <p className="flex justify-between border-t border-stone-200 px-5 py-4 text-lg font-semibold">
          <span>Total</span>
          <span className="tabular-nums" data-testid="order-total">
            {formatCents(order.totalCents)}
          </span>
        </p>
      </div>

      <ShopLink
        href="/"
        className="mt-8 inline-flex items-center justify-center rounded-md bg-stone-900 px-5 py-2.5 font-medium text-white transition hover:bg-stone-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-stone-900"
      >
        Continue shopping
      </ShopLink>
    </section>
  );
}
