import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm start`'s launcher must hand Ctrl-C to the platform and wait for it. A launcher that gives up on a
 * busy process (the tsx CLI SIGKILLs a child that has not acknowledged a signal within ~60 ms) would
 * leave the gateway, the worker and Postgres running without their orderly stop, and exit 130.
 */
const root = fileURLToPath(new URL('../', import.meta.url));
const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<
  string,
  string
>;
const dir = mkdtempSync(join(tmpdir(), 'start-command-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in for scripts/platform.ts whose event loop is busy in 200 ms stretches, stopping cleanly on SIGINT. */
const BUSY_PLATFORM = `
let stopping = false;
process.on('SIGINT', () => {
  stopping = true;
  setTimeout(() => process.exit(0), 50);
});
const busy = () => {
  const until = Date.now() + 200;
  while (Date.now() < until) {}
  if (!stopping) setImmediate(busy);
};
console.log('ready');
busy();
`;

function runUntilCtrlC(command: string): Promise<number | string | null> {
  const child = spawn('sh', ['-c', command], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.stdout.on('data', (chunk: Buffer) => {
      // Ctrl-C reaches the whole process group, as in a terminal, while the loop is busy.
      if (chunk.toString().includes('ready'))
        setTimeout(() => process.kill(-(child.pid as number), 'SIGINT'), 100);
    });
    child.on('exit', (code, signal) => resolve(code ?? signal));
  });
}

describe('npm start launcher', () => {
  it('lets a busy platform finish its Ctrl-C and exits 0', async () => {
    const script = join(dir, 'busy-platform.ts');
    writeFileSync(script, BUSY_PLATFORM);
    const command = (scripts.start as string).replace('scripts/platform.ts', script);
    expect(command).not.toBe(scripts.start);
    expect(await runUntilCtrlC(command)).toBe(0);
  }, 20_000);
});
