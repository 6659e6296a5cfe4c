// Stand-in for the `server-only` package under test runners (they are not client bundles).
export {};
