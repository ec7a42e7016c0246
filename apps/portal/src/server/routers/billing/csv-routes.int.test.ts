import { describe, expect, it, vi } from 'vitest';
import { addMember, member } from '../../test/harness';
import { invoicedWorld } from './test-world';

// The routes read the session through next-auth; the tests decide who is signed in.
const session = vi.hoisted(() => ({ userId: null as string | null }));
vi.mock('../../auth', () => ({ currentUserId: async () => session.userId }));

const { GET: invoiceCsv } = await import('../../../app/api/invoices/[invoiceId]/csv/route');
const { GET: revenueCsv } = await import('../../../app/api/orgs/[slug]/revenue/csv/route');

function getInvoiceCsv(userId: string | null, invoiceId: string) {
  session.userId = userId;
  return invoiceCsv(new Request(`http://portal.test/api/invoices/${invoiceId}/csv`), {
    params: Promise.resolve({ invoiceId }),
  });
}

function getRevenueCsv(userId: string | null, slug: string, query = '') {
  session.userId = userId;
  return revenueCsv(new Request(`http://portal.test/api/orgs/${slug}/revenue/csv${query}`), {
    params: Promise.resolve({ slug }),
  });
}

describe('GET /api/invoices/[invoiceId]/csv', () => {
  it("downloads the invoice's lines for the customer's members and the provider's admins", async () => {
    const { provider, consumer, invoice } = await invoicedWorld();
    const viewer = await addMember(consumer.org.id, 'VIEWER');
    const res = await getInvoiceCsv(viewer.user.id, invoice.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="INV-000001.csv"');
    const rows = (await res.text()).split('\r\n');
    expect(rows[0]).toBe(
      'invoice,period_start,period_end,kind,description,quantity,unit_price,amount,currency',
    );
    const ps = invoice.periodStart.toISOString().slice(0, 10);
    const pe = invoice.periodEnd.toISOString().slice(0, 10);
    expect(rows.slice(1)).toEqual([
      `INV-000001,${ps},${pe},flat_fee,Basic: fee for ${ps} to ${pe},1,2,2.00,USD`,
      `INV-000001,${ps},${pe},usage,"Requests: 1,234 × $0.002",1234,0.002,2.47,USD`,
      '',
    ]);
    expect((await getInvoiceCsv(provider.user.id, invoice.id)).status).toBe(200);
  });

  it('answers 401 signed out and 404 to other orgs and provider members below ADMIN', async () => {
    const { provider, invoice } = await invoicedWorld();
    expect((await getInvoiceCsv(null, invoice.id)).status).toBe(401);
    const stranger = await member('OWNER', 'stranger');
    expect((await getInvoiceCsv(stranger.user.id, invoice.id)).status).toBe(404);
    const developer = await addMember(provider.org.id, 'DEVELOPER');
    expect((await getInvoiceCsv(developer.user.id, invoice.id)).status).toBe(404);
    expect((await getInvoiceCsv(provider.user.id, 'no-such-invoice')).status).toBe(404);
  });
});

describe('GET /api/orgs/[slug]/revenue/csv', () => {
  it('downloads revenue by month × API × plan for ADMIN/OWNER', async () => {
    const { provider, invoice } = await invoicedWorld();
    const res = await getRevenueCsv(provider.user.id, provider.org.slug);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="${provider.org.slug}-revenue.csv"`,
    );
    const month = invoice.finalizedAt?.toISOString().slice(0, 7);
    expect((await res.text()).split('\r\n')).toEqual([
      'month,api,plan,currency,invoices,invoiced,paid',
      `${month},Weather,Basic,USD,1,4.47,0.00`,
      '',
    ]);
    expect((await getRevenueCsv(provider.user.id, provider.org.slug, '?months=0')).status).toBe(400);
  });

  it('answers 401 signed out, 404 to non-members and 403 to lower roles', async () => {
    const { provider, consumer } = await invoicedWorld();
    expect((await getRevenueCsv(null, provider.org.slug)).status).toBe(401);
    expect((await getRevenueCsv(consumer.user.id, provider.org.slug)).status).toBe(404);
    const viewer = await addMember(provider.org.id, 'VIEWER');
    expect((await getRevenueCsv(viewer.user.id, provider.org.slug)).status).toBe(403);
  });
});
