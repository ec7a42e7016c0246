import { forbidden } from '@portcullis/core/errors';
import type { ActorCtx } from '@portcullis/core/verbs/context';
import { isPlatformAdmin } from '@portcullis/core/verbs/settings';
import { z } from 'zod';

/**
 * Who reads the outbox: platform administrators read every mail (they operate the mail system and could
 * read the table anyway). Without SMTP (the embedded default) mail goes nowhere else, so a signed-in user
 * also reads the mail addressed to their own account's email; with SMTP configured the mail reached
 * their inbox and the page is for administrators only.
 * Reading one's own address grants nothing new: accounts cannot be created for an address that is taken,
 * and the links in these mails only work for the account with that address (or, for a reset, ask for
 * the token the mail itself carries).
 */
export const ZOutboxList = z.object({ to: z.string().trim().toLowerCase().max(254).optional() }).default({});

const OUTBOX_PAGE = 100;

export async function listOutbox(
  ctx: ActorCtx,
  input: z.infer<typeof ZOutboxList>,
  options: { smtpConfigured: boolean },
) {
  const admin = await isPlatformAdmin(ctx);
  if (!admin && options.smtpConfigured) {
    throw forbidden('Mail is delivered by SMTP: the outbox is for platform administrators');
  }
  const me = admin
    ? null
    : await ctx.db.user.findUniqueOrThrow({ where: { id: ctx.actor.id }, select: { email: true } });
  const mails = await ctx.db.mail.findMany({
    where: me ? { to: me.email } : input.to ? { to: { contains: input.to } } : {},
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: OUTBOX_PAGE,
    select: {
      id: true,
      to: true,
      subject: true,
      text: true,
      status: true,
      attempts: true,
      lastError: true,
      createdAt: true,
      sentAt: true,
    },
  });
  return {
    scope: admin ? ('all' as const) : ('mine' as const),
    smtpConfigured: options.smtpConfigured,
    mails,
  };
}
