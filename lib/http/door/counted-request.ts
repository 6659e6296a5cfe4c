/**
 * Whether a request spends the client's rate budget. Static files are not counted: a first page
 * view fetches a dozen scripts, styles and images at once, Next answers them from disk with
 * immutable caching (a CDN in front answers them without us), and refusing them would break the
 * page a shopper is allowed to see. Everything else counts, stream opens included: one request
 * per stream, and a client that reconnects in a loop is exactly what the door is for.
 */
export function countsTowardRate(url: string): boolean {
  if (url.startsWith("/_next/static/") || url.startsWith("/_next/image")) return false;
  const path = url.split("?", 1)[0] ?? "";
  return !STATIC_FILE.test(path);
}

/** Files of `public/` and the icons browsers ask for by themselves. */
const STATIC_FILE = /\.(?:svg|png|jpe?g|webp|avif|gif|ico|css|js|woff2?|txt)$/i;
