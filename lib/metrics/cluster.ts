import "server-only";
import cluster from "node:cluster";
import { randomBytes } from "node:crypto";
import { AggregatorRegistry, type Registry } from "prom-client";

/**
 * Metrics across a cluster's web processes (WEB_CONCURRENCY > 1). The processes share one port,
 * so a scrape reaches whichever the primary hands it to: that one asks the primary, which
 * collects every process's registry and sums them (prom-client's AggregatorRegistry; each
 * metric's `aggregator` says how: open streams add up, a process start time is the first one's).
 */
const ASK = "holdcart:metrics-ask";
const ANSWER = "holdcart:metrics-answer";
const ANSWER_TIMEOUT_MS = 6_000;

type Answer = { type: typeof ANSWER; id: string; text?: string; error?: string };

/** In each web process: answer the primary's collection with this process's registry. */
export function shareProcessMetrics(registry: Registry): void {
  if (!cluster.isWorker) return;
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one adds the listener that answers the primary.
  void new AggregatorRegistry();
}

/** In the primary: when a web process asks, collect every process's metrics and send the sum back. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, message: { type?: string; id?: string }) => {
    if (message?.type !== ASK) return;
    const reply = (answer: Omit<Answer, "type" | "id">) => {
      if (worker.isConnected()) worker.send({ type: ANSWER, id: message.id, ...answer });
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (error: Error) => reply({ error: error.message }),
    );
  });
}

/** This process's metrics, or in a cluster every web process's, summed by the primary. */
export function processMetricsText(registry: Registry): Promise<string> {
  const send = process.send?.bind(process);
  if (!cluster.isWorker || !send) return registry.metrics();
  const id = randomBytes(6).toString("hex");
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => settle({ type: ANSWER, id, error: "the cluster did not answer" }),
      ANSWER_TIMEOUT_MS,
    );
    const onMessage = (message: Answer) => {
      if (message?.type === ANSWER && message.id === id) settle(message);
    };
    function settle(answer: Answer) {
      clearTimeout(timer);
      process.off("message", onMessage);
      if (answer.text !== undefined) resolve(answer.text);
      else reject(new Error(`cluster metrics: ${answer.error ?? "no answer"}`));
    }
    process.on("message", onMessage);
    send({ type: ASK, id });
  });
}
