import {
  accountProfile,
  changePassword,
  endUserSessions,
  signOutEverywhere,
  ZPasswordChange,
  ZUserByEmail,
} from '@portcullis/services/verbs/account';
import {
  requestEmailChange,
  resendEmailVerification,
  verifyEmail,
  ZEmailChange,
  ZEmailVerification,
} from '@portcullis/services/verbs/email-verification';
import {
  requestPasswordReset,
  resetPassword,
  ZPasswordResetConfirm,
  ZPasswordResetRequest,
} from '@portcullis/services/verbs/password-reset';
import { env } from '../../../env';
import { kickMailDispatcher } from '../../mail/dispatcher';
import { forgetSessions } from '../../session-check';
import { platformAdminProcedure, protectedProcedure, publicProcedure, router } from '../../trpc';
import {
  listNotifications,
  markNotificationsRead,
  unreadNotificationCount,
  ZNotificationList,
  ZNotificationMarkRead,
} from './notifications';
import { listOutbox, ZOutboxList } from './outbox';

const linkMail = () => ({ publicUrl: env.PORTAL_PUBLIC_URL, mailKey: env.PORTCULLIS_ENCRYPTION_KEY });

/**
 * The signed-in user's own account (profile, address, password, sessions, notifications), password reset
 * and address confirmation by mailed link, and the operators' outbox and session reset.
 */
export const accountRouter = router({
  /** Same answer whether or not the email has an account. */
  requestPasswordReset: publicProcedure.input(ZPasswordResetRequest).mutation(async ({ ctx, input }) => {
    const answer = await requestPasswordReset({ db: ctx.db }, input, linkMail());
    kickMailDispatcher();
    return answer;
  }),
  /** Ends every session of the account too (the ids stay on the server). */
  resetPassword: publicProcedure.input(ZPasswordResetConfirm).mutation(async ({ ctx, input }) => {
    const { email, endedSessions } = await resetPassword({ db: ctx.db }, input);
    forgetSessions(endedSessions);
    return { email };
  }),
  /** The link is the proof: no session needed. */
  verifyEmail: publicProcedure
    .input(ZEmailVerification)
    .mutation(({ ctx, input }) => verifyEmail({ db: ctx.db }, input)),
  profile: protectedProcedure.query(({ ctx }) => accountProfile(ctx)),
  resendVerification: protectedProcedure.mutation(async ({ ctx }) => {
    const answer = await resendEmailVerification(ctx, linkMail());
    kickMailDispatcher();
    return answer;
  }),
  changeEmail: protectedProcedure.input(ZEmailChange).mutation(async ({ ctx, input }) => {
    const answer = await requestEmailChange(ctx, input, linkMail());
    kickMailDispatcher();
    return answer;
  }),
  /** Ends every session, this one included: the page signs in again with the new password. */
  changePassword: protectedProcedure.input(ZPasswordChange).mutation(async ({ ctx, input }) => {
    const { endedSessions } = await changePassword(ctx, input);
    forgetSessions(endedSessions);
    kickMailDispatcher();
    return { endedSessions: endedSessions.length };
  }),
  signOutEverywhere: protectedProcedure.mutation(async ({ ctx }) => {
    const { endedSessions } = await signOutEverywhere(ctx);
    forgetSessions(endedSessions);
    return { endedSessions: endedSessions.length };
  }),
  /** Operators: end every session of one user (a stolen cookie, a departing employee). */
  endUserSessions: platformAdminProcedure.input(ZUserByEmail).mutation(async ({ ctx, input }) => {
    const { email, endedSessions } = await endUserSessions(ctx, input);
    forgetSessions(endedSessions);
    return { email, endedSessions: endedSessions.length };
  }),
  notifications: protectedProcedure
    .input(ZNotificationList)
    .query(({ ctx, input }) => listNotifications(ctx, input)),
  unreadCount: protectedProcedure.query(({ ctx }) => unreadNotificationCount(ctx)),
  markRead: protectedProcedure
    .input(ZNotificationMarkRead)
    .mutation(({ ctx, input }) => markNotificationsRead(ctx, input)),
  /** Platform administrators only: mail not delivered by SMTP can hold links for anyone's address. */
  outbox: platformAdminProcedure.input(ZOutboxList).query(({ ctx, input }) =>
    listOutbox(ctx, input, {
      smtpConfigured: env.SMTP_URL !== undefined,
      mailKey: env.PORTCULLIS_ENCRYPTION_KEY,
    }),
  ),
});
