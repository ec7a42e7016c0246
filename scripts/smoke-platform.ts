/**
 * Proves the README's first command on a machine with no Postgres or Redis configured: starts the
 * platform with DATABASE_URL and REDIS_URL unset (embedded Postgres, in-memory counters), runs the
 * printed curl line and expects the echo upstream's answer, then stops the platform cleanly.
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-smoke-'));
// mkdtemp makes it private; embedded Postgres (run as the postgres user under root) must reach it.
chmodSync(dataDir, 0o755);
const env: NodeJS.ProcessEnv = {
  ...process.env,
  PORTAL_PORT: '3200',
  GATEWAY_PORT: '8280',
  ECHO_PORT: '8290',
  EMBEDDED_PG_PORT: '54331',
  PORTCULLIS_DATA_DIR: dataDir,
};
delete env.DATABASE_URL;
delete env.REDIS_URL;

// `npm start` runs scripts/platform.ts through tsx; started directly here, in its own process group,
// so that the test can press "Ctrl-C" (SIGINT to the group) like a user in a terminal.
const platform = spawn(process.execPath, ['--import', 'tsx', 'scripts/platform.ts'], {
  cwd: ROOT,
  env,
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
});
let errors = '';
platform.stderr.on('data', (chunk: Buffer) => {
  errors += chunk.toString();
});
let output = '';
const curlLine = await new Promise<string>((ok, fail) => {
  const timer = setTimeout(() => fail(new Error(`no curl line within 240 s; output:\n${output}`)), 240_000);
  platform.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    const line = output.split('\n').find((l) => l.trim().startsWith('curl '));
    if (line) {
      clearTimeout(timer);
      ok(line.trim());
    }
  });
  platform.on('exit', (code) => fail(new Error(`platform exited early (${code}):\n${output}`)));
});

let failed = false;
try {
  if (!output.includes('in-memory counters'))
    throw new Error('the platform did not say it uses in-memory counters');
  if (!output.includes('embedded Postgres')) throw new Error('the platform did not start embedded Postgres');
  const { stdout } = await promisify(execFile)('bash', ['-c', `${curlLine} -sS`]).catch((error: unknown) => {
    const { stderr, code } = error as { stderr?: string; code?: number };
    throw new Error(`curl exited ${code}: ${stderr}`);
  });
  const status = /^HTTP\/[\d.]+ (\d{3})/.exec(stdout)?.[1];
  if (status !== '200' || !stdout.includes('portcullis-echo')) {
    throw new Error(`the printed curl answered ${status}, expected 200 from the echo upstream:\n${stdout}`);
  }
  console.log(`smoke: printed curl answered 200 (${curlLine.slice(0, 60)}…)`);
} catch (error) {
  failed = true;
  console.error(`smoke failed: ${(error as Error).message}`);
} finally {
  // Ctrl-C: the gateway drains and flushes before the (separately grouped) embedded Postgres stops.
  process.kill(-platform.pid!, 'SIGINT');
  const killGroup = setTimeout(() => process.kill(-platform.pid!, 'SIGKILL'), 30_000);
  await new Promise((r) => platform.once('exit', r));
  clearTimeout(killGroup);
  if (/usage flush failed/.test(errors)) {
    failed = true;
    console.error(`smoke failed: usage could not be flushed at shutdown:\n${errors}`);
  }
  if (platform.exitCode !== 0) {
    failed = true;
    console.error(`smoke failed: the platform exited with ${platform.exitCode ?? platform.signalCode}`);
  }
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(failed ? '0 passed, 1 failed' : '1 passed, 0 failed');
process.exit(failed ? 1 : 0);
