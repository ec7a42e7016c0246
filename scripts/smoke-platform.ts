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

const platform = spawn('npm', ['start'], {
  cwd: ROOT,
  env,
  stdio: ['ignore', 'pipe', 'inherit'],
  detached: true,
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
  const { stdout } = await promisify(execFile)('bash', [
    '-c',
    `${curlLine} -s -o /dev/stderr -w '%{http_code}'`,
  ]);
  if (stdout.trim() !== '200') throw new Error(`the printed curl answered ${stdout.trim()}, expected 200`);
  console.log(`smoke: printed curl answered 200 (${curlLine.slice(0, 60)}…)`);
} catch (error) {
  failed = true;
  console.error(`smoke failed: ${(error as Error).message}`);
} finally {
  process.kill(-platform.pid!, 'SIGTERM');
  await new Promise((r) => platform.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(failed ? '0 passed, 1 failed' : '1 passed, 0 failed');
process.exit(failed ? 1 : 0);
