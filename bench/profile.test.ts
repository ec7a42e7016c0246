import { describe, expect, it } from 'vitest';
import { attributeProfile, type CpuProfile, parseTraceGc } from './profile.ts';

const frame = (functionName: string, url = '', lineNumber = -1) => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 0,
});

/**
 * root → run (chain) → check (limits) → evalsha (ioredis)
 *      → write (log.ts) → writeUtf8String (native, no url)
 *      → actualWrite (sonic-boom) → write (node:fs) → writeString (native)
 *      → (garbage collector), (program), (idle)
 */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 6, 8, 9, 10, 11] },
    { id: 2, callFrame: frame('run', 'file:///repo/apps/gateway/src/chain/run.ts', 10), children: [3] },
    { id: 3, callFrame: frame('check', 'file:///repo/apps/gateway/src/limits/redis.ts', 20), children: [4] },
    { id: 4, callFrame: frame('evalsha', 'file:///repo/node_modules/ioredis/built/Redis.js', 5) },
    { id: 6, callFrame: frame('write', 'file:///repo/apps/gateway/src/log.ts', 30), children: [7] },
    { id: 7, callFrame: frame('writeUtf8String') },
    { id: 8, callFrame: frame('(garbage collector)') },
    { id: 9, callFrame: frame('(program)') },
    { id: 10, callFrame: frame('(idle)') },
    {
      id: 11,
      callFrame: frame('actualWrite', 'file:///repo/node_modules/sonic-boom/index.js', 3),
      children: [12],
    },
    { id: 12, callFrame: frame('write', 'node:fs', 600), children: [13] },
    { id: 13, callFrame: frame('writeString') },
  ],
  startTime: 1_000,
  // each sample counts the delta of the one after it
  samples: [2, 3, 4, 7, 8, 9, 10, 13, 2],
  timeDeltas: [0, 100, 200, 300, 400, 500, 600, 700, 800],
};

const us = (breakdown: ReturnType<typeof attributeProfile>, part: string) =>
  breakdown.parts.find((p) => p.part === part)?.selfUs;

describe('attributeProfile', () => {
  it('splits self time by source path, natives to their caller, idle left out', () => {
    const breakdown = attributeProfile(profile);
    expect(us(breakdown, 'gateway chain steps')).toBe(100); // the last sample has no successor: 0
    expect(us(breakdown, 'limits')).toBe(200);
    expect(us(breakdown, 'ioredis')).toBe(300);
    // writeUtf8String → log.ts; writeString → node:fs → sonic-boom
    expect(us(breakdown, 'access log (log.ts, pino)')).toBe(400 + 800);
    expect(us(breakdown, 'garbage collector')).toBe(500);
    expect(us(breakdown, 'V8 and native, unattributed (program)')).toBe(600);
    expect(breakdown.totalUs).toBe(2_900); // (idle) 700 not counted
  });

  it('maps bundled code through the resolver', () => {
    const bundled: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2] },
        { id: 2, callFrame: frame('meter', 'file:///repo/apps/gateway/dist/main.mjs', 42) },
      ],
      startTime: 0,
      samples: [2, 2],
      timeDeltas: [0, 250],
    };
    const breakdown = attributeProfile(bundled, (url, line) =>
      url.endsWith('main.mjs') && line === 42 ? '/repo/packages/usage/src/stream.ts' : url,
    );
    expect(us(breakdown, 'usage event + request log')).toBe(250);
  });

  it('counts only samples inside the window', () => {
    // sample times: 1000, 1100, 1300, 1600, 2000, …
    const breakdown = attributeProfile(profile, undefined, { fromUs: 1_050, toUs: 1_650 });
    expect(breakdown.totalUs).toBe(200 + 300 + 400);
    expect(us(breakdown, 'gateway chain steps')).toBe(0);
  });
});

describe('parseTraceGc', () => {
  const log = [
    '[42:0x5d1b2a0]      900 ms: Mark-Compact 9.6 (13.1) -> 7.6 (14.3) MB, 8.00 / 0.00 ms  (average mu = 1.000) task',
    '{"level":"info","msg":"request"}',
    '[42:0x5d1b2a0]     1200 ms: Scavenge 8.4 (10.1) -> 7.5 (11.1) MB, 0.95 / 0.00 ms  (average mu = 0.9) allocation failure;',
    '[42:0x5d1b2a0]     1500 ms: Mark-Compact (reduce) 9.6 (13.1) -> 7.6 (14.3) MB, 3.25 / 0.00 ms  (+ 0.6 ms in 4 steps)',
    '[42:0x5d1b2a0]     1700 ms: Mark-Compact 9.6 (13.1) -> 7.6 (14.3) MB, 1.50 / 0.00 ms  (average mu = 0.9)',
    '[42:0x5d1b2a0]     2500 ms: Scavenge 8.4 (10.1) -> 7.5 (11.1) MB, 4.00 / 0.00 ms  allocation failure;',
  ].join('\n');

  it('counts mark-compact and scavenge pauses in the window', () => {
    expect(parseTraceGc(log, { fromMs: 1_000, toMs: 2_000 })).toEqual({
      scavenge: { count: 1, totalMs: 0.95, maxMs: 0.95 },
      markCompact: { count: 2, totalMs: 4.75, maxMs: 3.25 },
    });
  });
});
