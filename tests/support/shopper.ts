/** A shopper talking to the JSON API, with a cookie jar of one cart (and its orders). */
export class Shopper {
  /** The cookies the server set, by name (tests read them to forge or replay). */
  readonly cookies = new Map<string, string>();

  constructor(private readonly baseUrl: string) {}

  // Tests read whatever JSON came back, by shape, as a shopper would.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (cookie) headers.cookie = cookie;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...value] = (pair ?? "").split("=");
      if (!name) continue;
      const v = value.join("=");
      if (v) this.cookies.set(name, v);
      else this.cookies.delete(name);
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: response.status, body: parsed };
  }

  add = (productId: number, quantity: number) => this.request("POST", "/api/cart/items", { productId, quantity });
  set = (productId: number, quantity: number) => this.request("PATCH", `/api/cart/items/${productId}`, { quantity });
  remove = (productId: number) => this.request("DELETE", `/api/cart/items/${productId}`);
  empty = () => this.request("DELETE", "/api/cart");
  cart = () => this.request("GET", "/api/cart");
  checkout = () => this.request("POST", "/api/checkout", { email: "soak@example.com", name: "Soak" });
  forgetCart = () => this.cookies.delete("cart");
  join = (productId: number, quantity: number) => this.request("POST", "/api/waitlist", { productId, quantity });
  leave = (productId: number) => this.request("DELETE", `/api/waitlist/${productId}`);
  lines = () => this.request("GET", "/api/waitlist");
}
