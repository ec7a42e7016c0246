import {
  acceptInvitation,
  changeMemberRole,
  inviteMember,
  leaveOrg,
  listInvitations,
  listMembers,
  previewInvitation,
  removeMember,
  revokeInvitation,
  ZInvitationRef,
  ZInvitationToken,
  ZInvite,
  ZMemberRef,
  ZMemberRoleChange,
} from '@portcullis/services/verbs/members';
import { env } from '../../../env';
import { awaitDelivery } from '../../mail/delivery';
import { runningMailDispatcher } from '../../mail/dispatcher';
import { orgProcedure, protectedProcedure, router, verbCtx } from '../../trpc';

/**
 * Members of an org and invitations to it. Managing needs `member.manage` (OWNER, ADMIN); the rules about
 * owners, oneself and the last owner are the verbs'. Accepting is for the signed-in invitee, by token,
 * with the invited address confirmed. `invite` returns the link once, for the inviter to hand over, and
 * whether a mail server accepted the mail (`delivery`): the page says "sent" only then.
 */
export const membersRouter = router({
  list: orgProcedure('org.read').query(({ ctx }) => listMembers(verbCtx(ctx))),
  invitations: orgProcedure('member.manage').query(({ ctx }) => listInvitations(verbCtx(ctx))),
  invite: orgProcedure('member.manage')
    .input(ZInvite)
    .mutation(async ({ ctx, input }) => {
      const { mailId, ...invitation } = await inviteMember(verbCtx(ctx), input, {
        publicUrl: env.PORTAL_PUBLIC_URL,
        mailKey: env.PORTCULLIS_ENCRYPTION_KEY,
      });
      const delivery = await awaitDelivery(mailId, {
        db: ctx.db,
        transportConfigured: Boolean(env.SMTP_URL),
        dispatcher: runningMailDispatcher(),
      });
      return { ...invitation, delivery };
    }),
  revokeInvitation: orgProcedure('member.manage')
    .input(ZInvitationRef)
    .mutation(({ ctx, input }) => revokeInvitation(verbCtx(ctx), input)),
  changeRole: orgProcedure('member.manage')
    .input(ZMemberRoleChange)
    .mutation(({ ctx, input }) => changeMemberRole(verbCtx(ctx), input)),
  remove: orgProcedure('member.manage')
    .input(ZMemberRef)
    .mutation(({ ctx, input }) => removeMember(verbCtx(ctx), input)),
  leave: orgProcedure('org.read').mutation(({ ctx }) => leaveOrg(verbCtx(ctx))),
  /** What the accept page shows; the token itself is the capability, so no org membership is needed. */
  invitation: protectedProcedure
    .input(ZInvitationToken)
    .query(({ ctx, input }) => previewInvitation(ctx, input)),
  accept: protectedProcedure
    .input(ZInvitationToken)
    .mutation(({ ctx, input }) => acceptInvitation(ctx, input)),
});
