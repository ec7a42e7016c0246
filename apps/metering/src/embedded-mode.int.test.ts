import { afterAll, describe, expect, it } from 'vitest';
import { databaseUrl, eventually, spawnWorker, type WorkerProcess } from './test-helpers.ts';

/**
 * `npm start` without REDIS_URL runs this worker for the billing jobs only. It must keep running until it
 * is stopped: the platform treats a child that exits as a failure.
 */
describe('metering worker without Redis (embedded mode)', () => {
  const workers: WorkerProcess[] = [];
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.kill()));
  });

  it('stays alive well past the idle database pool timeout, and exits 0 on SIGTERM', async () => {
    const worker = spawnWorker({
      DATABASE_URL: databaseUrl(),
      REDIS_URL: '',
      REDIS_CLUSTER_NODES: '',
      // The billing pass runs once at start; the next one would be a minute away.
      BILLING_INTERVAL_MS: '60000',
    });
    workers.push(worker);
    await eventually(
      async () => worker.output().includes('billing jobs only'),
      20_000,
      `billing-only start\n${worker.output()}`,
    );
    // The database pool drops idle connections after 10 s; the worker used to exit with it.
    const exitedEarly = await Promise.race([
      worker.exited.then((code) => `exited with ${code}`),
      new Promise<undefined>((resolve) => setTimeout(resolve, 15_000)),
    ]);
    expect(exitedEarly, worker.output()).toBeUndefined();
    expect(worker.child.exitCode).toBeNull();

    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.output()).toContain('billing worker stopped');
  }, 45_000);
});
