import { ShopLink } from "@/components/layout/shop-link";

export default function NotFound() {
  return (
    <div className="py-16 text-center">
      <h1 className="mb-2 text-2xl font-bold">Not found</h1>
      <p className="mb-6 text-stone-600">We could not find that page.</p>
      <ShopLink href="/" className="font-medium underline underline-offset-2">
        Back to the shop
      </ShopLink>
    </div>
  );
}
