import type { GuardrailDecisionRecord } from '@portcullis/core/ai-guardrails';
import { Badge } from '~/components/ui/badge';

const TONE = { block: 'danger', redact: 'info', flagged: 'warn', error: 'warn' } as const;
const ACTION = { block: 'blocked', redact: 'redacted', flagged: 'flagged, allowed', error: 'could not run' };

/** What the API's guardrails decided on one call: blocks, redactions, flags and checks that failed. */
export function CallGuardrails({ decisions }: { decisions: GuardrailDecisionRecord[] }) {
  if (decisions.length === 0) return null;
  return (
    <section aria-labelledby="call-guardrails-title" data-testid="call-guardrails">
      <h3 id="call-guardrails-title">Guardrails</h3>
      <ul className="m-0 list-none p-0">
        {decisions.map((d) => (
          <li key={`${d.rule}-${d.stage}-${d.action}`} className="mb-1 flex flex-wrap items-center gap-2">
            <Badge tone={TONE[d.action]}>{ACTION[d.action]}</Badge>
            <strong>{d.rule}</strong>
            <span className="text-muted">
              {d.type.replaceAll('_', ' ')} · {d.stage}
              {d.detail ? ` · ${d.detail}` : ''}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
