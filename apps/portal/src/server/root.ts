import { accountRouter } from './routers/account';
import { aiRouter } from './routers/ai';
import { alertsRouter } from './routers/alerts';
import { analyticsRouter } from './routers/analytics';
import { apiRouter } from './routers/api';
import { apiTokensRouter } from './routers/api-tokens';
import { appDomainRouter } from './routers/app';
import { auditRouter } from './routers/audit';
import { authRouter } from './routers/auth';
import { billingRouter } from './routers/billing';
import { catalogRouter } from './routers/catalog';
import { keyRouter } from './routers/key';
import { logsRouter } from './routers/logs';
import { membersRouter } from './routers/members';
import { orgRouter } from './routers/org';
import { planRouter } from './routers/plan';
import { policyRouter } from './routers/policy';
import { revenueRouter } from './routers/revenue';
import { settingsRouter } from './routers/settings';
import { stripeRouter } from './routers/stripe';
import { subscriptionRouter } from './routers/subscription';
import { usageRouter } from './routers/usage';
import { createCallerFactory, router } from './trpc';

export const appRouter = router({
  auth: authRouter,
  org: orgRouter,
  api: apiRouter,
  plan: planRouter,
  catalog: catalogRouter,
  app: appDomainRouter,
  subscription: subscriptionRouter,
  key: keyRouter,
  usage: usageRouter,
  policy: policyRouter,
  settings: settingsRouter,
  billing: billingRouter,
  revenue: revenueRouter,
  stripe: stripeRouter,
  members: membersRouter,
  account: accountRouter,
  analytics: analyticsRouter,
  logs: logsRouter,
  audit: auditRouter,
  ai: aiRouter,
  alerts: alertsRouter,
  apiTokens: apiTokensRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side and test callers: `createCaller(createTrpcContext({ db, userId }))`. */
export const createCaller = createCallerFactory(appRouter);
