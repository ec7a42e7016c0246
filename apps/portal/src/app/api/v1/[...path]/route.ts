import { serviceDb, serviceReads } from '../../../../server/db';
import { managementHandler } from '../../../../server/management/handler';

export const dynamic = 'force-dynamic';

let handler: ((request: Request) => Promise<Response>) | null = null;

/** The management API: every method of every /api/v1 path goes to the one endpoint table. */
function handle(request: Request): Promise<Response> {
  handler ??= managementHandler({ db: serviceDb(), reads: serviceReads() });
  return handler(request);
}

export { handle as DELETE, handle as GET, handle as PATCH, handle as POST, handle as PUT };
