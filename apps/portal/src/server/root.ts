import { apiRouter } from './routers/api';
import { appDomainRouter } from './routers/app';
import { authRouter } from './routers/auth';
import { catalogRouter } from './routers/catalog';
import { keyRouter } from './routers/key';
import { orgRouter } from './routers/org';
import { planRouter } from './routers/plan';
import { policyRouter } from './routers/policy';
import { settingsRouter } from './routers/settings';
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
});

export type AppRouter = typeof appRouter;

/** Server-side and test callers: `createCaller(createTrpcContext({ db, userId }))`. */
export const createCaller = createCallerFactory(appRouter);
