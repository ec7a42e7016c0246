import { ZSignUp } from '@portcullis/core/schemas';
import { signUp } from '@portcullis/core/verbs/auth';
import { publicProcedure, router } from '../../trpc';

export const authRouter = router({
  /** Creates the account only; the client then signs in through next-auth's credentials provider. */
  signUp: publicProcedure.input(ZSignUp).mutation(({ ctx, input }) => signUp({ db: ctx.db }, input)),
  me: publicProcedure.query(async ({ ctx }) => {
    if (!ctx.userId) return null;
    return ctx.db.user.findUnique({
      where: { id: ctx.userId },
      select: { id: true, email: true, name: true },
    });
  }),
});
