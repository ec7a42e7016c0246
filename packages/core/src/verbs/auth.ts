import type { Db, Tx } from '@portcullis/db';
import { conflict } from '../errors.ts';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../password.ts';
import type { SignUpInput } from '../schemas.ts';
import { inTransaction, isUniqueViolation, writeAudit } from './context.ts';

const EMAIL_TAKEN = 'An account with this email already exists';

export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
}

/** Creates a password account. `input` is already parsed by ZSignUp (email lower-cased). */
export async function signUp(ctx: { db: Db | Tx }, input: SignUpInput): Promise<PublicUser> {
  const existing = await ctx.db.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (existing) throw conflict(EMAIL_TAKEN, { email: EMAIL_TAKEN });
  const passwordHash = await hashPassword(input.password);
  try {
    return await inTransaction(ctx.db, async (tx) => {
      const user = await tx.user.create({
        data: { email: input.email, name: input.name, passwordHash },
        select: { id: true, email: true, name: true },
      });
      await writeAudit(tx, user, {
        orgId: null,
        action: 'user.signUp',
        targetType: 'User',
        targetId: user.id,
      });
      return user;
    });
  } catch (error) {
    // Two sign-ups racing for one email: the unique index decides.
    if (isUniqueViolation(error)) throw conflict(EMAIL_TAKEN, { email: EMAIL_TAKEN });
    throw error;
  }
}

/**
 * Checks an email + password pair. Unknown users cost the same argon2 work as wrong passwords,
 * so response time does not reveal which emails have accounts.
 */
export async function verifyCredentials(
  ctx: { db: Db | Tx },
  email: string,
  password: string,
): Promise<PublicUser | null> {
  const user = await ctx.db.user.findUnique({
    where: { email: email.trim().toLowerCase() },
    select: { id: true, email: true, name: true, passwordHash: true },
  });
  if (!user?.passwordHash) {
    await verifyPassword(await DUMMY_PASSWORD_HASH, password);
    return null;
  }
  if (!(await verifyPassword(user.passwordHash, password))) return null;
  return { id: user.id, email: user.email, name: user.name };
}
