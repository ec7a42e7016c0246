import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import type { LoadResult } from './load.ts';

export interface TargetResult extends LoadResult {
  target: string;
  peakRssBytes: number;
  /** CPU time of the server process over the measured run, as % of one core. */
  cpuPercent: number;
}

export interface BenchMeta {
  connections: number;
  durationS: number;
  warmupS: number;
  pinned: boolean;
  skipped: string[];
}

const TARGETS = { throughputRatio: 0.85, p99DeltaMs: 1, rssBytes: 200 * 1024 * 1024 };

const fmt = (n: number, digits = 2) => n.toFixed(digits);

export function renderMarkdown(results: TargetResult[], meta: BenchMeta): string {
  const bare = results.find((r) => r.target === 'bare-proxy');
  const rows = results.map((r) => {
    const ratio = bare ? `${fmt((100 * r.requestsPerSec) / bare.requestsPerSec, 1)}%` : 'n/a';
    const p99Delta = bare ? `${r.p99Ms - bare.p99Ms >= 0 ? '+' : ''}${fmt(r.p99Ms - bare.p99Ms)}` : 'n/a';
    return `| ${r.target} | ${fmt(r.requestsPerSec, 0)} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} | ${fmt(r.peakRssBytes / 1024 / 1024, 1)} | ${fmt(r.cpuPercent, 0)} | ${ratio} | ${p99Delta} | ${r.errors} |`;
  });
  const gateway = results.find((r) => r.target === 'gateway');
  const verdicts: string[] = [];
  if (gateway && bare) {
    const ratio = gateway.requestsPerSec / bare.requestsPerSec;
    const delta = gateway.p99Ms - bare.p99Ms;
    verdicts.push(
      `- throughput ≥ 85% of bare proxy: ${fmt(100 * ratio, 1)}% — ${ratio >= TARGETS.throughputRatio ? 'PASS' : 'FAIL'}`,
      `- p99 within 1 ms of bare proxy: ${delta >= 0 ? '+' : ''}${fmt(delta)} ms — ${delta <= TARGETS.p99DeltaMs ? 'PASS' : 'FAIL'}`,
      `- RSS < 200 MB under load: ${fmt(gateway.peakRssBytes / 1024 / 1024, 1)} MB — ${gateway.peakRssBytes < TARGETS.rssBytes ? 'PASS' : 'FAIL'}`,
    );
  }
  return [
    `# Gateway benchmark — ${new Date().toISOString()}`,
    '',
    `Node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}); load: ${results[0]?.tool ?? 'n/a'}, ${meta.connections} connections, ${meta.durationS} s after a ${meta.warmupS} s warm-up; ${meta.pinned ? 'target pinned to CPU 1, load generator + upstream to CPU 0 (taskset)' : 'no CPU pinning'}.`,
    '',
    '| target | req/s | p50 ms | p99 ms | peak RSS MB | server CPU % | req/s vs bare | p99 Δ vs bare (ms) | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    ...verdicts,
    ...(meta.skipped.length > 0 ? ['', `Skipped: ${meta.skipped.join('; ')}`] : []),
    '',
  ].join('\n');
}

export function writeResults(dir: string, results: TargetResult[], meta: BenchMeta): string {
  mkdirSync(dir, { recursive: true });
  const markdown = renderMarkdown(results, meta);
  writeFileSync(join(dir, 'latest.md'), markdown);
  const bare = results.find((r) => r.target === 'bare-proxy');
  const json = {
    at: new Date().toISOString(),
    node: process.version,
    cpus: availableParallelism(),
    ...meta,
    results: results.map((r) => ({
      ...r,
      throughputVsBare: bare ? r.requestsPerSec / bare.requestsPerSec : null,
      p99DeltaVsBareMs: bare ? r.p99Ms - bare.p99Ms : null,
    })),
  };
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  return markdown;
}
