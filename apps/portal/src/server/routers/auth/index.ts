import { ZSignUp } from '@portcullis/core/schemas';
import { signUp } from '@portcullis/services/verbs/auth';
import { env } from '../../../env';
import { kickMailDispatcher } from '../../mail/dispatcher';
import { publicProcedure, router } from '../../trpc';

export const authRouter = router({
  /**
   * Registers an unconfirmed account and mails a confirmation link. The answer is the same whether or
   * not the address already has an account (that owner is mailed a notice instead); the client then
   * tries to sign in with the password it chose. Limited per client address.
   */
  signUp: publicProcedure.input(ZSignUp).mutation(async ({ ctx, input }) => {
    const answer = await signUp({ db: ctx.db }, input, {
      publicUrl: env.PORTAL_PUBLIC_URL,
      mailKey: env.PORTCULLIS_ENCRYPTION_KEY,
      clientIp: ctx.clientIp,
      perHour: env.PORTAL_SIGN_UPS_PER_HOUR,
    });
    kickMailDispatcher();
    return answer;
  }),
  me: publicProcedure.query(async ({ ctx }) => {
    if (!ctx.userId) return null;
    const user = await ctx.db.user.findUnique({
      where: { id: ctx.userId },
      select: { id: true, email: true, name: true, emailVerified: true },
    });
    return (
      user && { id: user.id, email: user.email, name: user.name, emailVerified: user.emailVerified !== null }
    );
  }),
});
