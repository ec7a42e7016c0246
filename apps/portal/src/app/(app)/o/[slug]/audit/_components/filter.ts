import { parseUtcInput } from '../../../../../../lib/format';

/** The audit log filters as typed: empty strings are "no filter". */
export interface AuditDraft {
  actorId: string;
  actionPrefix: string;
  targetType: string;
  from: string;
  to: string;
}

export const NO_FILTER: AuditDraft = { actorId: '', actionPrefix: '', targetType: '', from: '', to: '' };

/** The non-empty filters, as the list procedure takes them (from/to read as UTC). */
export function appliedFilter(draft: AuditDraft) {
  const from = parseUtcInput(draft.from);
  const to = parseUtcInput(draft.to);
  return {
    ...(draft.actorId ? { actorId: draft.actorId } : {}),
    ...(draft.actionPrefix.trim() ? { actionPrefix: draft.actionPrefix.trim() } : {}),
    ...(draft.targetType ? { targetType: draft.targetType } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}
