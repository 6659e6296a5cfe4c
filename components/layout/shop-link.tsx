import Link from "next/link";
import type { ComponentProps } from "react";

/**
 * Next's `<Link>` without its prefetch. By default a link prefetches its page when it scrolls into
 * view: two requests a link (the route's tree, then its metadata), each rendered by Next, since
 * every page here is dynamic. Measured on the seeded catalog: 6 such requests a view in Chromium,
 * 2.3 ms of the web's CPU each, against 0.1 ms for the page itself (served from the shared render,
 * lib/pages/). And for a dynamic page they fetch nothing the click can use: the click asks for the
 * page anyway. So a link here fetches on click only, and a drop's crowd on the catalog does not
 * render every product on it.
 */
export function ShopLink(props: Omit<ComponentProps<typeof Link>, "prefetch">) {
  return <Link {...props} prefetch={false} />;
}
