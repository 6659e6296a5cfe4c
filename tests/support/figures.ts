import { appendFileSync, mkdirSync } from "node:fs";

/** Records a scenario's figures (printed, and appended to .bench/reliability.jsonl for docs/guarantees.md). */
export function recordFigures(scenario: string, figures: Record<string, unknown>): void {
  const line = JSON.stringify({ scenario, at: new Date().toISOString(), ...figures });
  console.log(`[figures] ${line}`);
  mkdirSync(".bench", { recursive: true });
  appendFileSync(".bench/reliability.jsonl", `${line}\n`);
}
