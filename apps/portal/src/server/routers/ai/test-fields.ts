import { DomainError } from '@portcullis/core/errors';
import type { TRPCError } from '@trpc/server';
import { ZodError } from 'zod';

/** The field errors a form would get for `error` (what the tRPC error formatter sends as `fields`). */
export function fieldsOf(error: TRPCError): Record<string, string> {
  const cause = error.cause;
  if (cause instanceof DomainError) return cause.fields ?? {};
  if (cause instanceof ZodError) {
    const out: Record<string, string> = {};
    for (const issue of cause.issues) {
      const field = issue.path.map(String).join('.');
      if (field && !(field in out)) out[field] = issue.message;
    }
    return out;
  }
  return {};
}
