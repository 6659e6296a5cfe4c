import type { CartView } from "@/lib/hold/cart-types";

export type ProductRef = { id: number; slug: string; name: string; imageUrl: string; priceCents: number };

/** The cart as it will look if the server accepts the change; the server's answer replaces it. */
export function withLine(cart: CartView, product: ProductRef, quantity: (current: number) => number): CartView {
  const current = cart.items.find((i) => i.productId === product.id)?.quantity ?? 0;
  const next = Math.max(0, quantity(current));
  const others = cart.items.filter((i) => i.productId !== product.id);
  const items =
    next === 0
      ? others
      : [
          ...others,
          {
            productId: product.id,
            slug: product.slug,
            name: product.name,
            imageUrl: product.imageUrl,
            quantity: next,
            unitPriceCents: product.priceCents,
          },
        ].sort((a, b) => a.productId - b.productId);
  return { ...cart, items, subtotalCents: items.reduce((s, i) => s + i.quantity * i.unitPriceCents, 0) };
}
