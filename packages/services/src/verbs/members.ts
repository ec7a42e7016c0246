import { badRequest, conflict, DomainError, forbidden, notFound } from '@portcullis/core/errors';
import { ZEmail, ZId } from '@portcullis/core/schemas';
import type { Role, Tx } from '@portcullis/db';
import { z } from 'zod';
import { notifyUsers, queueMail } from '../notify-users.ts';
import { lowerRole } from './api-tokens.ts';
import { type ActorCtx, inTransaction, lockKey, type OrgCtx, writeAudit } from './context.ts';
import { enforce } from './member-rules.ts';
import { generateSecretToken, hashSecretToken } from './secret-tokens.ts';

/**
 * Teams: invitations by emailed link, roles, removal and leaving. The router's `member.manage`
 * permission decides who may manage at all; the rules below (owners, self, last owner) live here,
 * checked against the actor's role read inside the mutation's transaction.
 */

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const ROLES = ['OWNER', 'ADMIN', 'DEVELOPER', 'VIEWER'] as const satisfies readonly Role[];

const ZMemberRole = z.enum(ROLES, 'Choose a role');
/** Explicit objects: an `orgId` in the input is stripped, the org always comes from the caller's membership. */
export const ZInvite = z.object({ email: ZEmail, role: ZMemberRole });
export const ZInvitationRef = z.object({ invitationId: ZId });
export const ZMemberRef = z.object({ userId: ZId });
export const ZMemberRoleChange = z.object({ userId: ZId, role: ZMemberRole });
/** Tokens are 32 random bytes in base64url (43 characters); anything far off is not worth a lookup. */
export const ZInvitationToken = z.object({ token: z.string().trim().min(20).max(128) });

export { memberRuleViolation } from './member-rules.ts';
export { generateSecretToken, hashSecretToken } from './secret-tokens.ts';

// ───────────── helpers ─────────────

/** Serialises every change to one org's memberships, so two owners cannot both leave at once. */
async function lockMembers(tx: Tx, orgId: string): Promise<void> {
  await lockKey(tx, `members:${orgId}`);
}

/**
 * The role the member rules are checked against: the actor's membership, capped by the role of the
 * management API token they act through (an ADMIN token of an owner must not grant or remove owners).
 */
async function actorRole(tx: Tx, orgId: string, actor: OrgCtx['actor']): Promise<Role> {
  const membership = await tx.membership.findUnique({
    where: { orgId_userId: { orgId, userId: actor.id } },
    select: { role: true },
  });
  // The router resolved the membership a moment ago; gone now means removed concurrently.
  if (!membership) throw notFound('Organization');
  if (!actor.apiTokenId) return membership.role;
  const token = await tx.apiToken.findFirst({
    where: { id: actor.apiTokenId, orgId, revokedAt: null },
    select: { role: true },
  });
  if (!token) throw notFound('Organization');
  return lowerRole(token.role, membership.role);
}

const countOwners = (tx: Tx, orgId: string) => tx.membership.count({ where: { orgId, role: 'OWNER' } });

async function findMember(tx: Tx, orgId: string, userId: string) {
  const membership = await tx.membership.findUnique({
    where: { orgId_userId: { orgId, userId } },
    select: { id: true, role: true, user: { select: { id: true, email: true, name: true } } },
  });
  if (!membership) throw notFound('Member');
  return membership;
}

const membersLink = (slug: string) => `/o/${slug}/members`;

// ───────────── queries ─────────────

const ROLE_ORDER: Record<Role, number> = { OWNER: 0, ADMIN: 1, DEVELOPER: 2, VIEWER: 3 };

export async function listMembers(ctx: OrgCtx) {
  const rows = await ctx.db.membership.findMany({
    where: { orgId: ctx.org.id },
    select: {
      role: true,
      createdAt: true,
      user: { select: { id: true, email: true, name: true } },
    },
  });
  return rows
    .map((row) => ({ ...row.user, userId: row.user.id, role: row.role, joinedAt: row.createdAt }))
    .sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.email.localeCompare(b.email));
}

/** Pending invitations (expired ones flagged, so they can be re-sent or revoked). Never the token hash. */
export async function listInvitations(ctx: OrgCtx, now = new Date()) {
  const rows = await ctx.db.invitation.findMany({
    where: { orgId: ctx.org.id, acceptedAt: null },
    select: { id: true, email: true, role: true, expiresAt: true, createdAt: true },
    orderBy: { createdAt: 'desc' },
  });
  return rows.map((row) => ({ ...row, expired: row.expiresAt <= now }));
}

// ───────────── invitations ─────────────

export interface InviteOptions {
  /** the portal's public origin, for the link in the mail */
  publicUrl: string;
  /** PORTCULLIS_ENCRYPTION_KEY: the mail carrying the link is stored encrypted with it */
  mailKey: Buffer;
  now?: Date;
}

/**
 * Invites `email` as `role`; re-inviting replaces the pending invitation (the old link stops working).
 * The link is mailed, and returned once to the inviter, who may hand it over themselves (only its hash
 * is stored); whoever follows it must be signed in to an account that has confirmed that address.
 */
export async function inviteMember(
  ctx: OrgCtx,
  input: z.infer<typeof ZInvite>,
  options: InviteOptions,
): Promise<{ id: string; email: string; role: Role; expiresAt: Date; link: string; mailId: string }> {
  const now = options.now ?? new Date();
  return inTransaction(ctx.db, async (tx) => {
    await lockMembers(tx, ctx.org.id);
    const role = await actorRole(tx, ctx.org.id, ctx.actor);
    enforce({ kind: 'invite', actorRole: role, newRole: input.role });
    const alreadyMember = await tx.membership.findFirst({
      where: { orgId: ctx.org.id, user: { email: input.email } },
      select: { id: true },
    });
    if (alreadyMember) {
      throw conflict('This person is already a member', { email: 'This person is already a member' });
    }
    const replaced = await tx.invitation.findMany({
      where: { orgId: ctx.org.id, email: input.email, acceptedAt: null },
      select: { id: true, role: true },
    });
    // Replacing an invitation revokes it: an admin cannot turn a pending owner invitation into another.
    for (const previous of replaced)
      enforce({ kind: 'revokeInvitation', actorRole: role, invitedRole: previous.role });
    if (replaced.length > 0) {
      await tx.invitation.deleteMany({ where: { id: { in: replaced.map((r) => r.id) } } });
    }
    const token = generateSecretToken();
    const invitation = await tx.invitation.create({
      data: {
        orgId: ctx.org.id,
        email: input.email,
        role: input.role,
        tokenHash: hashSecretToken(token),
        expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
        invitedById: ctx.actor.id,
      },
      select: { id: true, email: true, role: true, expiresAt: true },
    });
    const [org, inviter] = await Promise.all([
      tx.organization.findUniqueOrThrow({ where: { id: ctx.org.id }, select: { name: true } }),
      tx.user.findUnique({ where: { id: ctx.actor.id }, select: { name: true, email: true } }),
    ]);
    const link = `${options.publicUrl.replace(/\/+$/, '')}/invite/${token}`;
    const mail = await queueMail(
      tx,
      {
        to: input.email,
        subject: `You are invited to join ${org.name} on Portcullis`,
        text: [
          `${inviter?.name || inviter?.email || 'A teammate'} invited you to join ${org.name} as ${input.role}.`,
          '',
          `Accept the invitation: ${link}`,
          '',
          `The link expires on ${invitation.expiresAt.toUTCString()}. If you did not expect it, ignore this mail.`,
        ].join('\n'),
      },
      { key: options.mailKey, until: invitation.expiresAt },
    );
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'member.invite',
      targetType: 'Invitation',
      targetId: invitation.id,
      ...(replaced.length > 0
        ? { before: { replaced: replaced.map((r) => ({ id: r.id, role: r.role })) } }
        : {}),
      after: {
        email: invitation.email,
        role: invitation.role,
        expiresAt: invitation.expiresAt.toISOString(),
      },
    });
    return { ...invitation, link, mailId: mail.id };
  });
}

export async function revokeInvitation(ctx: OrgCtx, input: z.infer<typeof ZInvitationRef>) {
  return inTransaction(ctx.db, async (tx) => {
    await lockMembers(tx, ctx.org.id);
    const invitation = await tx.invitation.findFirst({
      where: { id: input.invitationId, orgId: ctx.org.id, acceptedAt: null },
      select: { id: true, email: true, role: true },
    });
    if (!invitation) throw notFound('Invitation');
    enforce({
      kind: 'revokeInvitation',
      actorRole: await actorRole(tx, ctx.org.id, ctx.actor),
      invitedRole: invitation.role,
    });
    await tx.invitation.delete({ where: { id: invitation.id } });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'member.revokeInvitation',
      targetType: 'Invitation',
      targetId: invitation.id,
      before: { email: invitation.email, role: invitation.role },
    });
    return { id: invitation.id };
  });
}

type InvitationState = 'pending' | 'expired' | 'accepted';

async function invitationByToken(db: ActorCtx['db'], token: string) {
  return db.invitation.findUnique({
    where: { tokenHash: hashSecretToken(token) },
    select: {
      id: true,
      orgId: true,
      email: true,
      role: true,
      expiresAt: true,
      acceptedAt: true,
      invitedById: true,
      org: { select: { slug: true, name: true } },
    },
  });
}

const stateOf = (inv: { expiresAt: Date; acceptedAt: Date | null }, now: Date): InvitationState =>
  inv.acceptedAt ? 'accepted' : inv.expiresAt <= now ? 'expired' : 'pending';

const UNKNOWN_INVITATION = 'This invitation link is not valid. Ask for a new invitation.';

/**
 * What the accept page shows before the click: org, role, addressee, whether it fits the actor, and
 * whether the actor's address is confirmed (accepting needs both).
 */
export async function previewInvitation(ctx: ActorCtx, input: { token: string }, now = new Date()) {
  const invitation = await invitationByToken(ctx.db, input.token);
  if (!invitation) throw new DomainError('NOT_FOUND', UNKNOWN_INVITATION);
  const user = await ctx.db.user.findUnique({
    where: { id: ctx.actor.id },
    select: { email: true, emailVerified: true },
  });
  return {
    org: invitation.org,
    role: invitation.role,
    email: invitation.email,
    expiresAt: invitation.expiresAt,
    state: stateOf(invitation, now),
    emailMatches: user?.email === invitation.email,
    emailVerified: Boolean(user?.emailVerified),
  };
}

/**
 * What an invitation link tells a signed-out visitor: the org, the role, who invited and the invited
 * address (to pre-fill sign-up). The token is the capability, as for `previewInvitation`; null when it
 * matches no invitation.
 */
export async function introduceInvitation(db: ActorCtx['db'], input: { token: string }, now = new Date()) {
  const invitation = await invitationByToken(db, input.token);
  if (!invitation) return null;
  const inviter = invitation.invitedById
    ? await db.user.findUnique({ where: { id: invitation.invitedById }, select: { name: true, email: true } })
    : null;
  return {
    org: { name: invitation.org.name },
    role: invitation.role,
    email: invitation.email,
    expiresAt: invitation.expiresAt,
    state: stateOf(invitation, now),
    invitedBy: inviter ? inviter.name || inviter.email : null,
  };
}

const UNVERIFIED_INVITEE =
  'Confirm your email address first: follow the link we mailed to it (your account page can send a new one).';

/**
 * The signed-in actor joins the invitation's org with the invitation's role (never one from input), if
 * the invitation's address is the actor's and confirmed: registering an address proves nothing.
 */
export async function acceptInvitation(ctx: ActorCtx, input: { token: string }, now = new Date()) {
  return inTransaction(ctx.db, async (tx) => {
    const invitation = await invitationByToken(tx, input.token);
    if (!invitation) throw new DomainError('NOT_FOUND', UNKNOWN_INVITATION);
    const state = stateOf(invitation, now);
    if (state === 'accepted') throw conflict('This invitation has already been used');
    if (state === 'expired') throw badRequest('This invitation has expired. Ask for a new one.');
    const user = await tx.user.findUniqueOrThrow({
      where: { id: ctx.actor.id },
      select: { id: true, email: true, name: true, emailVerified: true },
    });
    if (user.email !== invitation.email) {
      throw forbidden(
        `This invitation was sent to ${invitation.email}. Sign in with that address to accept it.`,
      );
    }
    if (!user.emailVerified) throw forbidden(UNVERIFIED_INVITEE);
    await lockMembers(tx, invitation.orgId);
    // Claimed with a condition, so two tabs accepting at once cannot both succeed.
    const claimed = await tx.invitation.updateMany({
      where: { id: invitation.id, acceptedAt: null },
      data: { acceptedAt: now },
    });
    if (claimed.count !== 1) throw conflict('This invitation has already been used');
    const existing = await tx.membership.findUnique({
      where: { orgId_userId: { orgId: invitation.orgId, userId: user.id } },
      select: { id: true },
    });
    if (existing) throw conflict(`You are already a member of ${invitation.org.name}`);
    const membership = await tx.membership.create({
      data: { orgId: invitation.orgId, userId: user.id, role: invitation.role },
      select: { id: true, role: true },
    });
    await writeAudit(tx, ctx.actor, {
      orgId: invitation.orgId,
      action: 'member.join',
      targetType: 'Membership',
      targetId: membership.id,
      after: { userId: user.id, email: user.email, role: membership.role, invitationId: invitation.id },
    });
    if (invitation.invitedById) {
      await notifyUsers(tx, {
        userIds: [invitation.invitedById],
        orgId: invitation.orgId,
        kind: 'member.joined',
        title: `${user.name || user.email} joined ${invitation.org.name}`,
        body: `They accepted your invitation as ${membership.role}.`,
        link: membersLink(invitation.org.slug),
      });
    }
    return { org: invitation.org, role: membership.role };
  });
}

// ───────────── members ─────────────

export async function changeMemberRole(ctx: OrgCtx, input: z.infer<typeof ZMemberRoleChange>) {
  return inTransaction(ctx.db, async (tx) => {
    await lockMembers(tx, ctx.org.id);
    const role = await actorRole(tx, ctx.org.id, ctx.actor);
    const target = await findMember(tx, ctx.org.id, input.userId);
    enforce({
      kind: 'changeRole',
      actorRole: role,
      targetRole: target.role,
      newRole: input.role,
      self: target.user.id === ctx.actor.id,
      owners: await countOwners(tx, ctx.org.id),
    });
    if (target.role === input.role) return { userId: target.user.id, role: target.role };
    await tx.membership.update({ where: { id: target.id }, data: { role: input.role } });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'member.changeRole',
      targetType: 'Membership',
      targetId: target.id,
      before: { userId: target.user.id, role: target.role },
      after: { userId: target.user.id, role: input.role },
    });
    const org = await tx.organization.findUniqueOrThrow({
      where: { id: ctx.org.id },
      select: { name: true, slug: true },
    });
    await notifyUsers(tx, {
      userIds: [target.user.id],
      orgId: ctx.org.id,
      kind: 'member.roleChanged',
      title: `Your role in ${org.name} is now ${input.role}`,
      link: `/o/${org.slug}`,
    });
    return { userId: target.user.id, role: input.role };
  });
}

export async function removeMember(ctx: OrgCtx, input: z.infer<typeof ZMemberRef>) {
  return inTransaction(ctx.db, async (tx) => {
    await lockMembers(tx, ctx.org.id);
    const role = await actorRole(tx, ctx.org.id, ctx.actor);
    const target = await findMember(tx, ctx.org.id, input.userId);
    enforce({
      kind: 'remove',
      actorRole: role,
      targetRole: target.role,
      self: target.user.id === ctx.actor.id,
      owners: await countOwners(tx, ctx.org.id),
    });
    await tx.membership.delete({ where: { id: target.id } });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'member.remove',
      targetType: 'Membership',
      targetId: target.id,
      before: { userId: target.user.id, email: target.user.email, role: target.role },
    });
    const org = await tx.organization.findUniqueOrThrow({
      where: { id: ctx.org.id },
      select: { name: true },
    });
    await notifyUsers(tx, {
      userIds: [target.user.id],
      orgId: null,
      kind: 'member.removed',
      title: `You were removed from ${org.name}`,
    });
    return { userId: target.user.id };
  });
}

export async function leaveOrg(ctx: OrgCtx) {
  return inTransaction(ctx.db, async (tx) => {
    await lockMembers(tx, ctx.org.id);
    const membership = await findMember(tx, ctx.org.id, ctx.actor.id);
    enforce({ kind: 'leave', actorRole: membership.role, owners: await countOwners(tx, ctx.org.id) });
    await tx.membership.delete({ where: { id: membership.id } });
    await writeAudit(tx, ctx.actor, {
      orgId: ctx.org.id,
      action: 'member.leave',
      targetType: 'Membership',
      targetId: membership.id,
      before: { userId: ctx.actor.id, role: membership.role },
    });
    return { left: true as const };
  });
}
