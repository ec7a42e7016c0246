import {
  getApiMcpConfig,
  setApiMcpConfig,
  ZApiMcpConfigGet,
  ZApiMcpConfigSet,
} from '@portcullis/services/verbs/api-mcp';
import { env } from '../../../env';
import { gatewayApiMcpUrl } from '../../gateway-url';
import { can } from '../../permissions';
import { orgProcedure, verbCtx } from '../../trpc';

/** How an API is offered over MCP: the operations of a REST API, or an MCP API's tool allow-list. */
export const mcpProcedures = {
  mcp: orgProcedure('api.read')
    .input(ZApiMcpConfigGet)
    .query(async ({ ctx, input }) => {
      const config = await getApiMcpConfig(verbCtx(ctx), input);
      return {
        ...config,
        mcpUrl: gatewayApiMcpUrl(
          { publicUrl: env.GATEWAY_PUBLIC_URL, orgHostSuffix: env.GATEWAY_ORG_HOST_SUFFIX },
          ctx.org.slug,
          config.slug,
        ),
        canWrite: can(ctx.role, 'policy.write'),
      };
    }),
  updateMcp: orgProcedure('policy.write')
    .input(ZApiMcpConfigSet)
    .mutation(({ ctx, input }) => setApiMcpConfig(verbCtx(ctx), input)),
};
