import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export interface RunningProcess {
  pid: number;
  url: string;
  logFile: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const logDir = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));

/**
 * Starts a server process with stdout/stderr going to a file (a pipe the orchestrator had to drain would
 * cost CPU on the load generator's core) and waits until `ready(log)` says it is up.
 */
export async function startProcess(
  name: string,
  command: string[],
  options: { env?: Record<string, string>; ready: (log: string) => boolean | Promise<boolean>; url: string },
): Promise<RunningProcess> {
  const logFile = join(logDir, `${name}.log`);
  const fd = openSync(logFile, 'w');
  const [cmd, ...args] = command;
  const child: ChildProcess = spawn(cmd as string, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', fd, fd],
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const started = Date.now();
  for (;;) {
    const log = readFileSync(logFile, 'utf8');
    if (await options.ready(log)) break;
    if (exited || Date.now() - started > 30_000) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not start:\n${log.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    pid: child.pid ?? 0,
    url: options.url,
    logFile,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

const nodeWith = (pin: string[], flags: string[], file: string, ...args: string[]) => [
  ...pin,
  process.execPath,
  ...flags,
  '--import',
  'tsx',
  file,
  ...args,
];
const node = (pin: string[], file: string, ...args: string[]) => nodeWith(pin, [], file, ...args);

export async function startUpstream(pin: string[]): Promise<RunningProcess> {
  const port = await freePort();
  return startProcess('upstream', node(pin, here('./upstream.ts'), `--port=${port}`), {
    ready: (log) => log.includes('ready'),
    url: `http://127.0.0.1:${port}`,
  });
}

export async function startBareProxy(
  pin: string[],
  upstreamUrl: string,
  redisUrl?: string,
  options: { cpuProfileDir?: string; nodeFlags?: string[] } = {},
): Promise<RunningProcess> {
  const port = await freePort();
  const redis = redisUrl ? [`--redis=${redisUrl}`] : [];
  const flags = [...(options.nodeFlags ?? []), ...cpuProfileFlags(options.cpuProfileDir)];
  return startProcess(
    redisUrl ? 'bare-proxy-redis' : 'bare-proxy',
    nodeWith(pin, flags, here('./bare-proxy.ts'), `--port=${port}`, `--upstream=${upstreamUrl}`, ...redis),
    { ready: (log) => log.includes('ready'), url: `http://127.0.0.1:${port}` },
  );
}

const cpuProfileFlags = (dir: string | undefined) => (dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []);

export interface GatewayTarget {
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  cpuProfileDir?: string;
  /** PORTCULLIS_ENCRYPTION_KEY, for AI provider credentials */
  encryptionKey?: string;
  /** V8 flags for the gateway process (default GATEWAY_NODE_FLAGS) */
  nodeFlags?: string[];
  /** GATEWAY_LOG_LEVEL (default info: the access log on; warn turns it off) */
  logLevel?: string;
}

/**
 * The flags the gateway is meant to run with (docs/operations.md): a young generation of
 * 8 MB semi-spaces instead of V8's 16–32 MB, which lowers RSS under load at no throughput cost.
 */
export const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=8'];
/** The environment the gateway is meant to run with (docs/operations.md): two malloc arenas, not one per thread. */
export const GATEWAY_PROCESS_ENV = { MALLOC_ARENA_MAX: '2' };
/** The memory-capped profile: old space limited too — far lower RSS, some throughput traded for it. */
export const GATEWAY_CAPPED_OLD_SPACE_MB = 192;
export const GATEWAY_CAPPED_NODE_FLAGS = [
  ...GATEWAY_NODE_FLAGS,
  `--max-old-space-size=${GATEWAY_CAPPED_OLD_SPACE_MB}`,
];

/** The real CLI, single process (GATEWAY_WORKERS=1), access log on (info) into its log file. */
export async function startGateway(pin: string[], target: GatewayTarget): Promise<RunningProcess> {
  const port = await freePort();
  const profile = cpuProfileFlags(target.cpuProfileDir);
  // The production form: the compiled bundle (npm run build -w @portcullis/gateway), run by plain node.
  const command = [
    ...pin,
    process.execPath,
    ...(target.nodeFlags ?? GATEWAY_NODE_FLAGS),
    ...profile,
    here('../apps/gateway/dist/main.mjs'),
  ];
  return startProcess('gateway', command, {
    env: {
      DATABASE_URL: target.databaseUrl,
      REDIS_URL: target.redisUrl,
      GATEWAY_REDIS_KEY_PREFIX: target.redisKeyPrefix,
      GATEWAY_PORT: String(port),
      GATEWAY_WORKERS: '1',
      GATEWAY_LOG_LEVEL: target.logLevel ?? 'info',
      NODE_ENV: 'production',
      ...GATEWAY_PROCESS_ENV,
      ...(target.encryptionKey ? { PORTCULLIS_ENCRYPTION_KEY: target.encryptionKey } : {}),
    },
    // With the access log off (warn) the "listening" line is not written: ask /readyz instead.
    ready: (log) =>
      log.includes('"msg":"gateway listening"') ||
      fetch(`http://127.0.0.1:${port}/readyz`).then(
        (res) => res.ok,
        () => false,
      ),
    url: `http://127.0.0.1:${port}`,
  });
}

/** The metering worker the gateway's usage streams need (Redis mode), on the helpers' CPU. */
export async function startMetering(pin: string[], target: GatewayTarget): Promise<RunningProcess> {
  return startProcess('metering', node(pin, here('../apps/metering/src/main.ts')), {
    env: {
      DATABASE_URL: target.databaseUrl,
      REDIS_URL: target.redisUrl,
      METERING_REDIS_KEY_PREFIX: target.redisKeyPrefix,
      BILLING_INTERVAL_MS: '3600000',
    },
    ready: (log) => log.includes('metering worker started'),
    url: '',
  });
}

/** nginx as a reverse proxy: one process (master_process off), upstream keep-alive, no access log. */
export async function startNginx(pin: string[], upstreamUrl: string): Promise<RunningProcess> {
  const port = await freePort();
  const prefix = mkdtempSync(join(tmpdir(), 'portcullis-bench-nginx-'));
  const conf = join(prefix, 'nginx.conf');
  const upstream = new URL(upstreamUrl).host;
  writeFileSync(
    conf,
    `daemon off;
master_process off;
worker_processes 1;
error_log ${prefix}/error.log warn;
pid ${prefix}/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  upstream bench_upstream { server ${upstream}; keepalive 256; }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 1000000;
    location / {
      proxy_pass http://bench_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`,
  );
  const url = `http://127.0.0.1:${port}`;
  return startProcess('nginx', [...pin, 'nginx', '-p', prefix, '-c', conf], {
    ready: () =>
      fetch(url).then(
        (res) => res.ok,
        () => false,
      ),
    url,
  });
}
