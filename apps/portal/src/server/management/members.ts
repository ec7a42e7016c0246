import {
  changeMemberRole,
  inviteMember,
  listInvitations,
  listMembers,
  removeMember,
  revokeInvitation,
  ZInvite,
  ZMemberRoleChange,
} from '@portcullis/services/verbs/members';
import { z } from 'zod';
import { env } from '../../env';
import { endpoint, out, verbCtxOf } from './endpoint';

const ZId = z.string().min(1).max(64);
const ZMemberOut = out({ userId: z.string(), email: z.string(), role: z.string() });
const ZInvitationOut = out({ id: z.string(), email: z.string(), role: z.string(), expiresAt: z.string() });

export const MEMBER_ENDPOINTS = [
  endpoint({
    id: 'members.list',
    method: 'GET',
    path: '/members',
    summary: "The org's members and their roles",
    scope: 'members:read',
    permission: 'org.read',
    output: z.array(ZMemberOut),
    handler: (ctx) => listMembers(verbCtxOf(ctx)),
  }),
  endpoint({
    id: 'members.changeRole',
    method: 'PATCH',
    path: '/members/{userId}',
    summary: "Change a member's role (the owner rules of the portal apply)",
    scope: 'members:write',
    permission: 'member.manage',
    params: z.object({ userId: ZId }),
    body: ZMemberRoleChange.omit({ userId: true }),
    output: z.looseObject({}),
    handler: (ctx, input) => changeMemberRole(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'members.remove',
    method: 'DELETE',
    path: '/members/{userId}',
    summary: 'Remove a member from the org',
    scope: 'members:write',
    permission: 'member.manage',
    params: z.object({ userId: ZId }),
    output: z.looseObject({}),
    handler: (ctx, input) => removeMember(verbCtxOf(ctx), input),
  }),
  endpoint({
    id: 'invitations.list',
    method: 'GET',
    path: '/invitations',
    summary: 'Pending invitations',
    scope: 'members:read',
    permission: 'member.manage',
    output: z.array(ZInvitationOut),
    handler: (ctx) => listInvitations(verbCtxOf(ctx)),
  }),
  endpoint({
    id: 'invitations.create',
    method: 'POST',
    path: '/invitations',
    summary: 'Invite someone by email; the answer has the link to hand over',
    scope: 'members:write',
    permission: 'member.manage',
    body: ZInvite,
    output: ZInvitationOut.extend({ link: z.string() }),
    status: 201,
    handler: async (ctx, input) => {
      // The mail goes out through the outbox; the link in the answer works whether or not it is delivered.
      const { mailId: _mailId, ...invitation } = await inviteMember(verbCtxOf(ctx), input, {
        publicUrl: env.PORTAL_PUBLIC_URL,
        mailKey: env.PORTCULLIS_ENCRYPTION_KEY,
      });
      return invitation;
    },
  }),
  endpoint({
    id: 'invitations.revoke',
    method: 'DELETE',
    path: '/invitations/{invitationId}',
    summary: 'Revoke a pending invitation',
    scope: 'members:write',
    permission: 'member.manage',
    params: z.object({ invitationId: ZId }),
    output: z.looseObject({}),
    handler: (ctx, input) => revokeInvitation(verbCtxOf(ctx), input),
  }),
];
