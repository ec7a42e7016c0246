import { z } from 'zod';

const ZBenchEnv = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .default('postgresql://postgres@127.0.0.1:5432/portcullis_bench'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  BENCH_CONNECTIONS: z.coerce.number().int().min(1).max(10_000).default(50),
  BENCH_DURATION_S: z.coerce.number().int().min(1).max(600).default(10),
  BENCH_WARMUP_S: z.coerce.number().int().min(0).max(600).default(3),
  /** Runs per target (round after round); every figure reported is the median of the runs. */
  BENCH_RUNS: z.coerce.number().int().min(1).max(9).default(3),
  /** Requests/s of the fixed-rate latency phase (well below every target's capacity). */
  BENCH_LATENCY_RATE: z.coerce.number().int().min(10).max(100_000).default(1000),
  /** Comma-separated subset of: bare,gateway,nginx,metering (default: all that are available). */
  BENCH_TARGETS: z.string().default('bare,floor,gateway,nginx,metering,ai'),
  /** `autocannon` forces the Node load generator even when wrk is installed. */
  BENCH_LOADGEN: z.enum(['auto', 'wrk', 'autocannon']).default('auto'),
  /** `0` skips the profiled gateway run (where the gateway's CPU goes, part by part, and its GC pauses). */
  BENCH_PROFILE: z
    .enum(['0', '1'])
    .default('1')
    .transform((v) => v === '1'),
  /** Write a V8 CPU profile of the gateway (node --cpu-prof) into bench-results/. */
  BENCH_CPU_PROF: z
    .enum(['0', '1', ''])
    .default('')
    .transform((v) => v === '1'),
});

export type BenchEnv = z.infer<typeof ZBenchEnv>;

/** The only place the benchmark reads process.env. */
export function readBenchEnv(source: NodeJS.ProcessEnv = process.env): BenchEnv {
  const parsed = ZBenchEnv.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid configuration: ${String(issue?.path[0])}: ${issue?.message ?? 'is invalid'}`);
  }
  return parsed.data;
}

/** Settings a child server process receives on its command line (children do not read the environment). */
export function argValue(name: string): string {
  const prefix = `--${name}=`;
  const arg = process.argv.find((a) => a.startsWith(prefix));
  if (!arg) throw new Error(`missing ${prefix}…`);
  return arg.slice(prefix.length);
}
