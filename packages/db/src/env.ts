import { z } from 'zod';

const ZDbEnv = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
});

export type DbEnv = z.infer<typeof ZDbEnv>;

export function readDbEnv(source: NodeJS.ProcessEnv = process.env): DbEnv {
  const parsed = ZDbEnv.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid configuration: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

export function requireDatabaseUrl(source: NodeJS.ProcessEnv = process.env): string {
  const url = readDbEnv(source).DATABASE_URL;
  if (!url) throw new Error('Invalid configuration: DATABASE_URL is required');
  return url;
}
