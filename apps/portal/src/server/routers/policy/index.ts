import { router } from '../../trpc';
import { apiConfigProcedures } from './api-config';
import { lifecycleProcedures } from './lifecycle';
import { mcpProcedures } from './mcp';

/** Provider-side gateway configuration of ctx.org's APIs and plans. */
export const policyRouter = router({ ...apiConfigProcedures, ...lifecycleProcedures, ...mcpProcedures });
