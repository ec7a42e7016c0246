import { readMailBody } from '@portcullis/services/notify-users';
import type { ActorCtx } from '@portcullis/services/verbs/context';
import { z } from 'zod';

/**
 * The outbox: every mail the platform queued, for platform administrators only (the router's
 * procedure checks it). Without SMTP (the embedded default) mail goes nowhere else, and a mail to an
 * address can carry a link that acts for whoever owns that address (a password reset, an address
 * confirmation, an invitation): reading it must not be open to whoever registered the address. The
 * operator hands such links over; an inviter can also copy an invitation's link from the members page.
 * Bodies carrying links are stored encrypted and shown decrypted here until delivered or expired.
 */
export const ZOutboxList = z.object({ to: z.string().trim().toLowerCase().max(254).optional() }).default({});

const OUTBOX_PAGE = 100;

export async function listOutbox(
  ctx: ActorCtx,
  input: z.infer<typeof ZOutboxList>,
  options: { smtpConfigured: boolean; mailKey: Buffer },
) {
  const rows = await ctx.db.mail.findMany({
    where: input.to ? { to: { contains: input.to } } : {},
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: OUTBOX_PAGE,
    select: {
      id: true,
      to: true,
      subject: true,
      text: true,
      html: true,
      secretUntil: true,
      status: true,
      attempts: true,
      lastError: true,
      createdAt: true,
      sentAt: true,
    },
  });
  const mails = rows.map(({ html: _html, ...row }) => {
    const body = readMailBody({ ...row, html: null }, options.mailKey);
    return {
      ...row,
      text: body?.text ?? '',
      /** the body carried a link and was removed once delivered or expired */
      bodyDropped: body === null,
    };
  });
  return { scope: 'all' as const, smtpConfigured: options.smtpConfigured, mails };
}
