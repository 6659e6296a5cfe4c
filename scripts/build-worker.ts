import { build, type Plugin } from "esbuild";

// `server-only` guards modules against client bundles; in a Node process it is a no-op.
const serverOnly: Plugin = {
  name: "server-only",
  setup(b) {
    b.onResolve({ filter: /^server-only$/ }, () => ({ path: "server-only", namespace: "empty" }));
    b.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "", loader: "js" }));
  },
};

/** Bundles the Node entry points (worker, web, start, migrate, seed) for production: `node dist/<name>.mjs`. */
await build({
  entryPoints: {
    worker: "worker/index.ts",
    start: "scripts/start.ts",
    web: "scripts/web-server.ts",
    migrate: "scripts/migrate.ts",
    seed: "scripts/seed.ts",
  },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
  plugins: [serverOnly],
});
console.log("[build] worker, web, start, migrate and seed bundled into dist/");
