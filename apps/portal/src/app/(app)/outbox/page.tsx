'use client';

import { useQuery } from '@tanstack/react-query';
import { Fragment, useDeferredValue, useState } from 'react';
import { EmptyState } from '~/components/ui/empty-state';
import { Field } from '~/components/ui/field';
import { QueryState } from '~/components/ui/query-state';
import { useTRPC } from '../../../trpc/client';

const URL_PATTERN = /(https?:\/\/[^\s<>"]+)/g;

/** Mail text with its http(s) links clickable; everything else stays text (never HTML). */
function MailText({ text }: { text: string }) {
  const parts = text.split(URL_PATTERN);
  return (
    <pre style={{ whiteSpace: 'pre-wrap', margin: 0 }}>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one immutable text never reorder
          <a key={i} href={part} rel="noopener noreferrer">
            {part}
          </a>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one immutable text never reorder
          <Fragment key={i}>{part}</Fragment>
        ),
      )}
    </pre>
  );
}

const STATUS_CLASS: Record<string, string> = {
  sent: 'status-active',
  outbox: 'status-active',
  pending: 'status-pending',
  failed: 'status-rejected',
};

const formatDate = (date: Date) =>
  new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' }).format(date);

export default function OutboxPage() {
  const trpc = useTRPC();
  const [to, setTo] = useState('');
  const deferredTo = useDeferredValue(to.trim());
  const outbox = useQuery({
    ...trpc.account.outbox.queryOptions(deferredTo ? { to: deferredTo } : {}),
    refetchInterval: 5_000,
  });

  return (
    <>
      <h1>Outbox</h1>
      <QueryState query={outbox} pendingLabel="Loading mail">
        {(data) => (
          <>
            <p className="muted">
              Every mail the platform sent or queued, newest first (platform administrators only).{' '}
              {data.smtpConfigured
                ? 'Mail is delivered by SMTP.'
                : 'No mail server is configured (SMTP_URL), so mail is kept here instead of being sent: hand links over to the people they are addressed to, and only to them.'}{' '}
              A mail carrying a link is kept encrypted and its text removed once delivered or once the link
              expired.
            </p>
            <Field
              id="outbox-to"
              label="Recipient contains"
              type="search"
              value={to}
              onChange={(e) => setTo(e.target.value)}
            />
            {data.mails.length === 0 ? (
              <EmptyState title={deferredTo ? 'No mail to a matching recipient.' : 'No mail yet.'} />
            ) : (
              <ul className="list" aria-label="Mail">
                {data.mails.map((mail) => (
                  <li key={mail.id} style={{ display: 'block' }} data-testid="mail">
                    <article className="card" aria-labelledby={`mail-${mail.id}`}>
                      <h2 id={`mail-${mail.id}`}>{mail.subject}</h2>
                      <dl className="facts">
                        <dt>To</dt>
                        <dd>{mail.to}</dd>
                        <dt>Queued</dt>
                        <dd>{formatDate(mail.createdAt)}</dd>
                        <dt>Status</dt>
                        <dd>
                          <span className={`badge ${STATUS_CLASS[mail.status] ?? ''}`}>{mail.status}</span>
                          {mail.attempts > 0 ? (
                            <span className="muted"> · {mail.attempts} attempt(s)</span>
                          ) : null}
                          {mail.sentAt ? (
                            <span className="muted"> · sent {formatDate(mail.sentAt)}</span>
                          ) : null}
                        </dd>
                        {mail.lastError ? (
                          <>
                            <dt>Last error</dt>
                            <dd>{mail.lastError}</dd>
                          </>
                        ) : null}
                      </dl>
                      {mail.bodyDropped ? (
                        <p className="muted">
                          Text removed: the link it carried was delivered or has expired.
                        </p>
                      ) : (
                        <MailText text={mail.text} />
                      )}
                    </article>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </QueryState>
    </>
  );
}
