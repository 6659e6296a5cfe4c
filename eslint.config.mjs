import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";
import { layerZones } from "./lib/layers.mjs";

export default defineConfig([
  ...nextVitals,
  ...nextTypescript,
  {
    rules: {
      // `_name` marks a value that is deliberately left out (destructuring to omit a field).
      "@typescript-eslint/no-unused-vars": [
        "warn",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
    },
  },
  {
    // Links fetch on click only (components/layout/shop-link.tsx says why).
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}"],
    ignores: ["components/layout/shop-link.tsx"],
    rules: {
      "no-restricted-imports": [
        "error",
        { paths: [{ name: "next/link", message: "Use ShopLink (components/layout/shop-link.tsx): no prefetch." }] },
      ],
    },
  },
  {
    // lib/ in layers (docs/architecture.md): a room imports only the rooms below it.
    files: ["lib/**/*.{ts,tsx}"],
    rules: { "import/no-restricted-paths": ["error", { zones: layerZones() }] },
  },
  globalIgnores([
    ".next/**",
    "dist/**",
    ".data/**",
    ".bench/**",
    "node_modules/**",
    "next-env.d.ts",
    "test-results/**",
    "playwright-report/**",
  ]),
]);
