/**
 * Set on globalThis by the production web server (scripts/web-server.ts) before Next loads, so
 * the app can tell it runs behind the server that names each client: under a bare `next start`,
 * X-Forwarded-For is whatever the client sent.
 */
export const WEB_SERVER_MARK = Symbol.for("holdcart.web-server");

export const behindWebServer = (): boolean => (globalThis as Record<symbol, unknown>)[WEB_SERVER_MARK] === true;
