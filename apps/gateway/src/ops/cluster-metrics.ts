import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { metricsRegistry } from './metrics.ts';

/**
 * Cluster mode: every worker answers `/metrics` on the shared gateway port with the metrics of ALL
 * workers. The worker asks the primary over IPC; the primary collects each worker's registry with
 * prom-client's AggregatorRegistry (which itself asks every worker over IPC) and sends the text back.
 * So scrapers see one endpoint whatever the worker count, and no second port is needed.
 */
const REQUEST = 'portcullis:metrics-request';
const RESPONSE = 'portcullis:metrics-response';
const WORKER_TIMEOUT_MS = 3_000;

interface MetricsRequest {
  type: typeof REQUEST;
  id: number;
}
interface MetricsResponse {
  type: typeof RESPONSE;
  id: number;
  text?: string;
  error?: string;
}

const isMessage = <T extends { type: string }>(message: unknown, type: T['type']): message is T =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;

/** Primary: answers workers' aggregated-metrics requests. Call once, before forking. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isMessage<MetricsRequest>(message, REQUEST)) return;
    const reply = (response: Omit<MetricsResponse, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: RESPONSE, id: message.id, ...response });
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

let workerReady = false;
let nextId = 0;
const waiting = new Map<number, (response: MetricsResponse) => void>();

function setUpWorker(): void {
  if (workerReady) return;
  workerReady = true;
  // Makes this worker answer the primary's collection requests with the gateway registry.
  AggregatorRegistry.setRegistries([metricsRegistry]);
  new AggregatorRegistry();
  process.on('message', (message: unknown) => {
    if (!isMessage<MetricsResponse>(message, RESPONSE)) return;
    waiting.get(message.id)?.(message);
  });
}

/** The Prometheus text for this process, or for the whole cluster when running as a worker. */
export async function renderMetrics(): Promise<string> {
  if (!cluster.isWorker || !process.send) return metricsRegistry.metrics();
  setUpWorker();
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error('the cluster primary did not answer the metrics request'));
    }, WORKER_TIMEOUT_MS);
    waiting.set(id, (response) => {
      clearTimeout(timer);
      waiting.delete(id);
      if (response.text !== undefined) resolve(response.text);
      else reject(new Error(response.error ?? 'metrics aggregation failed'));
    });
    process.send?.({ type: REQUEST, id } satisfies MetricsRequest);
  });
}

/** Call in each worker at start, so the primary can collect it even before the first scrape. */
export function registerWorkerMetrics(): void {
  if (cluster.isWorker) setUpWorker();
}

export const metricsContentType = metricsRegistry.contentType;
