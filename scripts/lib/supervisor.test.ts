import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, type SupervisedChild, supervise } from './supervisor.ts';

// Plain shell commands: they start in a millisecond, which keeps these tests fast.
const sh = '/bin/sh';
const running: SupervisedChild[] = [];

function child(script: string, extra: Partial<Parameters<typeof supervise>[0]> = {}) {
  const lines: string[] = [];
  const spawns: Array<{ pid: number; at: number }> = [];
  const supervised = supervise(
    {
      name: 'worker',
      command: sh,
      args: ['-c', script],
      cwd: process.cwd(),
      env: process.env,
      onLine: () => undefined,
      onSpawn: (pid) => spawns.push({ pid, at: Date.now() }),
      ...extra,
    },
    {
      log: (line) => lines.push(line),
      backoff: { initialMs: 50, maxMs: 200, stableMs: 60_000 },
      settleMs: 0,
      killAfterMs: 300,
    },
  );
  running.push(supervised);
  return { supervised, lines, spawns };
}

async function until(check: () => boolean, withinMs: number, what: string): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop('SIGKILL')));
});

describe('supervise', () => {
  it('restarts a child that exits, after a backoff that doubles, and logs each restart in one line', async () => {
    const { lines, spawns } = child('exit 3');
    await until(() => spawns.length >= 4, 5_000, 'three restarts');
    expect(lines.slice(0, 3)).toEqual([
      'worker exited (code 3); restarting in 50 ms',
      'worker exited (code 3); restarting in 100 ms',
      'worker exited (code 3); restarting in 200 ms',
    ]);
    const gaps = spawns.slice(1, 4).map((s, i) => s.at - (spawns[i]?.at ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(50);
    expect(gaps[1]).toBeGreaterThanOrEqual(100);
    expect(gaps[2]).toBeGreaterThanOrEqual(200);
  });

  it('caps the backoff of a crash loop, so it cannot spin the CPU', async () => {
    const { spawns, lines } = child('exit 1');
    await until(() => spawns.length >= 6, 8_000, 'five restarts');
    // 50, 100, 200, then capped at 200
    expect(lines.at(4)).toBe('worker exited (code 1); restarting in 200 ms');
    const last = spawns.at(-1)?.at ?? 0;
    const before = spawns.at(-2)?.at ?? 0;
    expect(last - before).toBeGreaterThanOrEqual(200);
    expect(backoffDelay(1, DEFAULT_BACKOFF)).toBe(1_000);
    expect(backoffDelay(2, DEFAULT_BACKOFF)).toBe(2_000);
    expect(backoffDelay(100, DEFAULT_BACKOFF)).toBe(DEFAULT_BACKOFF.maxMs);
  });

  it('says what killed a child that died of a signal', async () => {
    const { lines, spawns } = child('exec sleep 60');
    await until(() => spawns.length === 1, 2_000, 'the first start');
    process.kill(spawns[0]?.pid ?? 0, 'SIGKILL');
    await until(() => spawns.length === 2, 2_000, 'the restart');
    expect(lines[0]).toBe('worker exited (SIGKILL); restarting in 50 ms');
  });

  it('stop() stops the child and does not start it again', async () => {
    const { supervised, lines, spawns } = child('exec sleep 60');
    await until(() => spawns.length === 1, 2_000, 'the first start');
    const pid = spawns[0]?.pid ?? 0;
    expect(alive(pid)).toBe(true);
    await supervised.stop();
    expect(alive(pid)).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(spawns).toHaveLength(1);
    expect(lines).toEqual([]);
    expect(supervised.pid).toBeUndefined();
  });

  it('stop() during the backoff cancels the pending restart', async () => {
    const { supervised, spawns, lines } = child('exit 2');
    await until(() => lines.length === 1, 2_000, 'the first exit');
    await supervised.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(spawns).toHaveLength(1);
  });

  it('kills a child that ignores SIGTERM once the stop timeout passes', async () => {
    const { supervised, spawns, lines } = child("trap '' TERM; echo ready; while :; do sleep 0.05; done", {
      onLine: (line) => lines.push(`out: ${line}`),
    });
    await until(() => lines.includes('out: ready'), 2_000, 'the handler to be installed');
    await supervised.stop();
    expect(alive(spawns[0]?.pid ?? 0)).toBe(false);
    expect(lines).toContain('worker did not stop within 300 ms; killing it');
  });

  it('does not report an exit that lands together with stop() (a Ctrl-C reaches both)', async () => {
    const lines: string[] = [];
    const spawns: number[] = [];
    const supervised = supervise(
      {
        name: 'gateway',
        command: sh,
        args: ['-c', "trap 'exit 0' INT; echo up; while :; do sleep 0.05; done"],
        cwd: process.cwd(),
        env: process.env,
        onLine: (line) => lines.push(line),
        onSpawn: (pid) => spawns.push(pid),
      },
      { log: (line) => lines.push(line), settleMs: 200 },
    );
    running.push(supervised);
    await until(() => lines.includes('up'), 2_000, 'the child to start');
    process.kill(spawns[0] ?? 0, 'SIGINT');
    await new Promise((r) => setTimeout(r, 50));
    await supervised.stop();
    await new Promise((r) => setTimeout(r, 400));
    expect(lines).toEqual(['up']);
    expect(spawns).toHaveLength(1);
  });

  it('leaves a child down when its restart policy says so, and reports the exit', async () => {
    const exits: unknown[] = [];
    const { spawns, lines } = child('exit 5', {
      restart: () => false,
      onExit: (exit) => exits.push(exit),
    });
    await until(() => exits.length === 1, 2_000, 'the exit report');
    await new Promise((r) => setTimeout(r, 300));
    expect(spawns).toHaveLength(1);
    expect(lines).toEqual([]);
    expect(exits[0]).toEqual({ code: 5, signal: null, restarting: false, delayMs: 0 });
  });

  it('retries a command that cannot be started at all, with the same backoff', async () => {
    const { lines } = child('', { command: '/nonexistent/portcullis-binary' });
    await until(() => lines.length >= 2, 3_000, 'two failed starts');
    expect(lines[0]).toMatch(
      /^worker could not start: spawn \/nonexistent\/portcullis-binary ENOENT; restarting in 50 ms$/,
    );
    expect(lines[1]).toMatch(/restarting in 100 ms$/);
  });

  it('starts the backoff over after the child stayed up for stableMs', async () => {
    const lines: string[] = [];
    let spawns = 0;
    const supervised = supervise(
      {
        name: 'portal',
        command: sh,
        // up for 300 ms each time: longer than stableMs below
        args: ['-c', 'sleep 0.3; exit 1'],
        cwd: process.cwd(),
        env: process.env,
        onSpawn: () => {
          spawns += 1;
        },
      },
      {
        log: (line) => lines.push(line),
        backoff: { initialMs: 50, maxMs: 1_000, stableMs: 200 },
        settleMs: 0,
      },
    );
    running.push(supervised);
    await until(() => spawns >= 3, 5_000, 'two restarts');
    expect(lines.slice(0, 2)).toEqual([
      'portal exited (code 1); restarting in 50 ms',
      'portal exited (code 1); restarting in 50 ms',
    ]);
  });
});
