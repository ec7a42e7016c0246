import { notFound } from '@portcullis/core/errors';
import { parseApiMcpConfig } from '@portcullis/core/mcp/config';
import { ZId } from '@portcullis/core/schemas';
import { z } from 'zod';
import { aiRouteNames } from './api-mcp.ts';
import type { OrgCtx } from './context.ts';

/**
 * What an app's key reaches over MCP, as the gateway decides it: the app's `/mcp` offers the tools of
 * every published (or deprecated) REST, AI or prompt API it is actively subscribed to that has MCP on,
 * each tool as `{apiSlug}.{tool}` (an AI API's `chat`, a prompt API's `run`); an MCP API (an upstream
 * MCP server) is not merged there but called at its own `/{org}/{api}/mcp`.
 */

export const ZAppMcpRef = z.object({ appId: ZId });

export interface AppMcpApi {
  apiName: string;
  apiSlug: string;
  providerSlug: string;
  kind: 'REST' | 'AI' | 'PROMPT' | 'MCP';
  /** REST, AI, PROMPT: the tools offered; MCP: the allow-list, null when every tool is let through */
  tools: string[] | null;
}

export async function getAppMcpReach(ctx: OrgCtx, input: z.input<typeof ZAppMcpRef>): Promise<AppMcpApi[]> {
  const { appId } = ZAppMcpRef.parse(input);
  const app = await ctx.db.app.findFirst({ where: { id: appId, orgId: ctx.org.id }, select: { id: true } });
  if (!app) throw notFound('App');
  const subscriptions = await ctx.db.subscription.findMany({
    where: {
      appId: app.id,
      status: 'ACTIVE',
      plan: { api: { status: { in: ['PUBLISHED', 'DEPRECATED'] } } },
    },
    select: {
      plan: {
        select: {
          api: {
            select: {
              name: true,
              slug: true,
              kind: true,
              mcp: true,
              ai: true,
              org: { select: { slug: true } },
            },
          },
        },
      },
    },
    orderBy: { createdAt: 'asc' },
  });
  const reach: AppMcpApi[] = [];
  for (const { plan } of subscriptions) {
    const { api } = plan;
    const config = parseApiMcpConfig(api.mcp);
    const base = { apiName: api.name, apiSlug: api.slug, providerSlug: api.org.slug };
    if (api.kind === 'MCP') {
      reach.push({ ...base, kind: 'MCP', tools: config.allowAllTools ? null : config.tools });
    } else if (!config.enabled) {
      // MCP off: nothing of this API at the app's /mcp
    } else if (api.kind === 'PROMPT') {
      reach.push({ ...base, kind: 'PROMPT', tools: ['run'] });
    } else if (api.kind === 'AI') {
      // the picked routes that still exist all answer through its one chat tool
      const routes = new Set(aiRouteNames(api.ai));
      if (config.tools.some((name) => routes.has(name))) reach.push({ ...base, kind: 'AI', tools: ['chat'] });
    } else if (config.tools.length > 0) {
      reach.push({ ...base, kind: 'REST', tools: config.tools });
    }
  }
  return reach;
}
