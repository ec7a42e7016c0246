import {
  requestPasswordReset,
  resetPassword,
  ZPasswordResetConfirm,
  ZPasswordResetRequest,
} from '@portcullis/core/verbs/password-reset';
import { env } from '../../../env';
import { kickMailDispatcher } from '../../mail/dispatcher';
import { protectedProcedure, publicProcedure, router } from '../../trpc';
import {
  listNotifications,
  markNotificationsRead,
  unreadNotificationCount,
  ZNotificationList,
  ZNotificationMarkRead,
} from './notifications';
import { listOutbox, ZOutboxList } from './outbox';

/** The signed-in user's own things (notifications, their mail in the outbox) and password reset. */
export const accountRouter = router({
  /** Same answer whether or not the email has an account. */
  requestPasswordReset: publicProcedure.input(ZPasswordResetRequest).mutation(async ({ ctx, input }) => {
    const answer = await requestPasswordReset({ db: ctx.db }, input, { publicUrl: env.PORTAL_PUBLIC_URL });
    kickMailDispatcher();
    return answer;
  }),
  resetPassword: publicProcedure
    .input(ZPasswordResetConfirm)
    .mutation(({ ctx, input }) => resetPassword({ db: ctx.db }, input)),
  notifications: protectedProcedure
    .input(ZNotificationList)
    .query(({ ctx, input }) => listNotifications(ctx, input)),
  unreadCount: protectedProcedure.query(({ ctx }) => unreadNotificationCount(ctx)),
  markRead: protectedProcedure
    .input(ZNotificationMarkRead)
    .mutation(({ ctx, input }) => markNotificationsRead(ctx, input)),
  outbox: protectedProcedure
    .input(ZOutboxList)
    .query(({ ctx, input }) => listOutbox(ctx, input, { smtpConfigured: env.SMTP_URL !== undefined })),
});
