import { ZCatalogGet } from '@portcullis/core/schemas';
import { getCatalogApi, listCatalog } from '@portcullis/core/verbs/catalog';
import type { Db } from '@portcullis/db';
import { env } from '../../../env';
import { publicProcedure, router } from '../../trpc';

const viewer = (ctx: { db: Db; userId: string | null }) => ({
  db: ctx.db,
  actor: ctx.userId ? { id: ctx.userId } : null,
});

export const catalogRouter = router({
  list: publicProcedure.query(({ ctx }) => listCatalog(viewer(ctx))),
  get: publicProcedure.input(ZCatalogGet).query(async ({ ctx, input }) => {
    const api = await getCatalogApi(viewer(ctx), input);
    return { ...api, gatewayBaseUrl: `${env.GATEWAY_PUBLIC_URL}/${api.org.slug}/${api.slug}/` };
  }),
});
