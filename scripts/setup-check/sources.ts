import { builtinModules } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
import { build, type Plugin } from "esbuild";

/** Source files and packages reached from some entry points, by esbuild's own resolver. */
export type Closure = {
  /** Repository files (relative, `/`-separated) the entry points import, themselves included. */
  files: string[];
  /** Packages imported at run time (type-only imports are not counted), by package name. */
  packages: string[];
};

// `server-only` is a marker the production bundles replace with nothing (scripts/build-worker.ts).
const serverOnly: Plugin = {
  name: "server-only",
  setup(b) {
    b.onResolve({ filter: /^server-only$/ }, () => ({ path: "server-only", namespace: "empty" }));
    b.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "", loader: "js" }));
  },
};

export async function closure(root: string, entryPoints: string[]): Promise<Closure> {
  const result = await build({
    absWorkingDir: root,
    entryPoints,
    bundle: true,
    write: false,
    metafile: true,
    outdir: "out",
    platform: "node",
    format: "esm",
    packages: "external",
    jsx: "automatic",
    logLevel: "silent",
    loader: { ".css": "empty", ".svg": "empty", ".png": "empty", ".jpg": "empty", ".webp": "empty", ".ico": "empty" },
    plugins: [serverOnly],
  });
  const files = Object.keys(result.metafile.inputs).filter((f) => !f.includes(":") && !f.startsWith("node_modules/"));
  const packages = new Set<string>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imported of output.imports) {
      if (!imported.external) continue;
      const name = packageName(imported.path);
      if (name) packages.add(name);
    }
  }
  return { files: files.sort(), packages: [...packages].sort() };
}

/** `@scope/pkg/sub` → `@scope/pkg`; `pkg/sub` → `pkg`; a Node built-in or a relative path → null. */
export function packageName(specifier: string): string | null {
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("node:")) return null;
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
  return builtinModules.includes(name) ? null : name;
}

/** Folders a source names as `path.resolve("<folder>")`: read from the working folder at run time. */
export function foldersReadAtRunTime(root: string, files: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const file of files) {
    const text = readFileSync(path.join(root, file), "utf8");
    for (const m of text.matchAll(/path\.resolve\(\s*["']([^"'/][^"']*)["']\s*\)/g)) folders.add(m[1]!);
  }
  return [...folders].sort();
}

/** The `dist/<name>.mjs` bundles a source starts as child processes. */
export function bundlesStarted(root: string, files: readonly string[]): string[] {
  const names = new Set<string>();
  for (const file of files) {
    const text = readFileSync(path.join(root, file), "utf8");
    for (const m of text.matchAll(/["']dist\/([\w-]+)\.mjs["']/g)) names.add(m[1]!);
  }
  return [...names].sort();
}
