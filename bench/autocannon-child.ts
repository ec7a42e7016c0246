import autocannon from 'autocannon';
import { argValue } from './env.ts';

// One autocannon run in this process; prints one JSON line for bench/load.ts.
const result = await autocannon({
  url: argValue('url'),
  connections: Number(argValue('connections')),
  duration: Number(argValue('duration')),
  headers: JSON.parse(argValue('headers')) as Record<string, string>,
});
process.stdout.write(
  `${JSON.stringify({
    requestsPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  })}\n`,
);
