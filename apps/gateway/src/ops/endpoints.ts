import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError, type Logger } from '../log.ts';
import { metricsContentType, renderMetrics } from './cluster-metrics.ts';
import { requestsInFlight } from './http-metrics.ts';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface OpsState {
  /** True from the moment shutdown starts: load balancers must stop sending before the listener closes. */
  draining(): boolean;
}

/**
 * Reserved operational paths in front of the gateway handler: `/metrics` (Prometheus text, whole cluster)
 * and `/readyz` while draining (503). Everything else goes to the handler, counted in the in-flight gauge.
 */
export function withOpsEndpoints(handler: RequestListener, state: OpsState, log: Logger): RequestListener {
  return (req, res) => {
    const url = req.url ?? '';
    if (url === '/metrics' || url.startsWith('/metrics?')) {
      serveMetrics(res, log);
      return;
    }
    if (state.draining() && (url === '/readyz' || url.startsWith('/readyz?'))) {
      sendText(res, 503, 'application/json', JSON.stringify({ status: 'draining' }));
      return;
    }
    requestsInFlight.inc();
    res.once('close', requestsInFlight.dec);
    handler(req, res);
  };
}

function serveMetrics(res: ServerResponse, log: Logger): void {
  renderMetrics().then(
    (text) => sendText(res, 200, metricsContentType, text),
    (error: unknown) => {
      log('warn', 'metrics collection failed', { error: describeError(error) });
      sendText(res, 503, 'text/plain', 'metrics unavailable\n');
    },
  );
}

function sendText(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}
