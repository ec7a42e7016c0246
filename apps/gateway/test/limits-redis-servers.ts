import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Private redis-server processes for the limits tests (ports 7100-7199; never the shared 6379). */
export interface RedisProcess {
  port: number;
  /** SIGKILL, like a crash; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts a new redis-server on the same port and directory. */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: a hung server that keeps its connections open. */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** `count` consecutive free ports in 7100-7199 (and their +10000 cluster bus ports), from a random start. */
export async function freePorts(count: number): Promise<number[]> {
  const offset = Math.floor(Math.random() * 100);
  for (let i = 0; i < 100; i++) {
    const first = 7100 + ((offset + i) % (100 - count + 1));
    const ports = Array.from({ length: count }, (_, k) => first + k);
    const checks = await Promise.all(ports.flatMap((p) => [portIsFree(p), portIsFree(p + 10_000)]));
    if (checks.every(Boolean)) return ports;
  }
  throw new Error('no free ports in 7100-7199');
}

export async function tempDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'portcullis-redis-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

async function ping(port: number): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['-p', String(port), 'ping']);
    return stdout.trim() === 'PONG';
  } catch {
    return false;
  }
}

async function waitFor(check: () => Promise<boolean>, what: string, withinMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > withinMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startRedis(port: number, dir: string, cluster = false): Promise<RedisProcess> {
  let child: ChildProcess | undefined;
  const start = async () => {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    args.push('--daemonize', 'no');
    if (cluster) {
      args.push('--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`));
    }
    child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitFor(() => ping(port), `redis-server on ${port}`);
  };
  await start();
  return {
    port,
    async kill() {
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      const exited = new Promise((resolve) => current.once('exit', resolve));
      current.kill('SIGKILL');
      await exited;
    },
    restart: start,
    signal(signal) {
      child?.kill(signal);
    },
  };
}

/** Three masters, no replicas, slots assigned, `cluster_state:ok` everywhere. */
export async function startRedisCluster(
  dir: string,
): Promise<{ nodes: RedisProcess[]; ports: number[]; stop(): Promise<void> }> {
  const ports = await freePorts(3);
  const nodes: RedisProcess[] = [];
  try {
    for (const port of ports) nodes.push(await startRedis(port, dir, true));
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (const port of ports) {
      await waitFor(async () => {
        const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
        return stdout.includes('cluster_state:ok');
      }, `cluster_state:ok on ${port}`);
    }
  } catch (error) {
    await Promise.all(nodes.map((n) => n.kill()));
    throw error;
  }
  return { nodes, ports, stop: async () => void (await Promise.all(nodes.map((n) => n.kill()))) };
}

/** Runs `task` for each item with at most `concurrency` in flight. */
export async function pool<T, R>(
  items: T[],
  concurrency: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  });
  await Promise.all(workers);
  return results;
}
