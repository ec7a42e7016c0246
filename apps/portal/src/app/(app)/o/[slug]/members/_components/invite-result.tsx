'use client';

import { CopyButton } from '~/components/ui/code-block';
import { Input } from '~/components/ui/field';

type Delivery =
  | { state: 'sent' }
  | { state: 'queued'; reason: 'no-transport' | 'pending'; lastError: string | null }
  | { state: 'failed'; lastError: string | null };

export interface InviteAnswer {
  email: string;
  link: string;
  delivery: Delivery;
}

function headline({ email, delivery }: InviteAnswer): { title: string; detail: string; ok: boolean } {
  if (delivery.state === 'sent') {
    return {
      ok: true,
      title: `Invitation sent to ${email}.`,
      detail: 'The mail server accepted it. The link works for 7 days.',
    };
  }
  if (delivery.state === 'failed') {
    return {
      ok: false,
      title: 'Not sent — copy the invite link',
      detail: `The mail server refused the mail${delivery.lastError ? ` (${delivery.lastError})` : ''}. Hand the link to ${email} yourself.`,
    };
  }
  return {
    ok: false,
    title: 'Queued — copy the invite link',
    detail:
      delivery.reason === 'no-transport'
        ? `No mail server is configured (SMTP_URL), so the mail waits in the outbox. Hand the link to ${email} yourself.`
        : `The mail server has not accepted the mail yet${delivery.lastError ? ` (${delivery.lastError})` : ''}; it is retried in the background. Hand the link to ${email} yourself if it is urgent.`,
  };
}

/**
 * What happened to an invitation's mail, and its link: shown once to the inviter (only its hash is
 * stored), to hand over when mail does not reach the invitee.
 */
export function InviteResult({ answer }: { answer: InviteAnswer }) {
  const { title, detail, ok } = headline(answer);
  const id = `invite-link-${answer.email.replace(/[^a-z0-9]/gi, '-')}`;
  return (
    <div className="mt-3 min-w-0" data-testid="invite-result" data-delivery={answer.delivery.state}>
      <div role="status" className="mb-3">
        <p className={ok ? 'm-0 font-semibold text-ok' : 'm-0 font-semibold text-warn'}>{title}</p>
        <p className="m-0 text-sm text-muted">{detail}</p>
      </div>
      <label htmlFor={id} className="text-sm font-semibold">
        Invitation link for {answer.email}
      </label>
      <div className="mt-1 flex min-w-0 flex-wrap items-center gap-2">
        <Input
          id={id}
          readOnly
          value={answer.link}
          aria-describedby={`${id}-hint`}
          className="min-w-0 flex-[1_1_16rem] font-mono text-sm"
          onFocus={(e) => e.currentTarget.select()}
        />
        <CopyButton text={answer.link} label="Copy link" />
      </div>
      <p id={`${id}-hint`} className="m-0 mt-1 text-sm text-muted">
        Shown once. It works for 7 days; accepting needs an account that has confirmed {answer.email}.
      </p>
    </div>
  );
}
