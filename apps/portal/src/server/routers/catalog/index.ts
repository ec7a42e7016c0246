import {
  catalogFacets,
  compareCatalogVersions,
  countHiddenApis,
  getCatalogApi,
  getCatalogSpec,
  listMyAppsForApi,
  searchCatalog,
  ZCatalogApiRef,
  ZCatalogCompare,
  ZCatalogSearch,
  ZCatalogSpecRef,
} from '@portcullis/services/verbs/catalog';
import type { ActorCtx } from '@portcullis/services/verbs/context';
import { env } from '../../../env';
import { gatewayApiBaseUrl } from '../../gateway-url';
import { protectedProcedure, publicProcedure, router } from '../../trpc';

const viewer = (ctx: { db: ActorCtx['db']; userId: string | null }) => ({
  db: ctx.db,
  actor: ctx.userId ? { id: ctx.userId } : null,
});

/**
 * The catalog: readable signed out (then only PUBLIC APIs of tenants that allow anonymous browsing;
 * the verbs' one visibility rule decides, see apiVisibilityWhere).
 */
export const catalogRouter = router({
  list: publicProcedure
    .input(ZCatalogSearch.partial().optional())
    .query(({ ctx, input }) => searchCatalog(viewer(ctx), input ?? {})),
  facets: publicProcedure.query(({ ctx }) => catalogFacets(viewer(ctx))),
  /** Counts of published APIs the viewer cannot see, so an empty-looking catalog can say why. */
  hidden: publicProcedure.query(({ ctx }) => countHiddenApis(viewer(ctx))),
  get: publicProcedure.input(ZCatalogApiRef).query(async ({ ctx, input }) => {
    const api = await getCatalogApi(viewer(ctx), input);
    return {
      ...api,
      gatewayBaseUrl: gatewayApiBaseUrl(
        { publicUrl: env.GATEWAY_PUBLIC_URL, orgHostSuffix: env.GATEWAY_ORG_HOST_SUFFIX },
        api.org.slug,
        api.slug,
      ),
      signedIn: ctx.userId !== null,
    };
  }),
  spec: publicProcedure.input(ZCatalogSpecRef).query(({ ctx, input }) => getCatalogSpec(viewer(ctx), input)),
  compare: publicProcedure
    .input(ZCatalogCompare)
    .query(({ ctx, input }) => compareCatalogVersions(viewer(ctx), input)),
  /** The "try it" console's hint: the viewer's apps subscribed to this API and their key hints. */
  myApps: protectedProcedure
    .input(ZCatalogApiRef)
    .query(({ ctx, input }) => listMyAppsForApi({ db: ctx.db, actor: ctx.actor }, input)),
});
