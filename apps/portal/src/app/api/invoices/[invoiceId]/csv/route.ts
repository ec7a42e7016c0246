import { csvResponse, invoiceLinesCsv } from '@portcullis/billing/csv';
import { findInvoiceForUser } from '@portcullis/billing/reports';
import { DomainError } from '@portcullis/core/errors';
import { currentUserId } from '../../../../../server/auth';
import { serviceDb } from '../../../../../server/db';
import { rolesWith } from '../../../../../server/permissions';

export const dynamic = 'force-dynamic';

/** An invoice's lines as CSV, for members of the customer org and ADMIN/OWNER of the provider org. */
export async function GET(_req: Request, { params }: { params: Promise<{ invoiceId: string }> }) {
  const userId = await currentUserId();
  if (!userId) return new Response('Please sign in', { status: 401 });
  const { invoiceId } = await params;
  try {
    const invoice = await findInvoiceForUser(serviceDb(), {
      userId,
      invoiceId,
      customerRoles: rolesWith('billing.read'),
      providerRoles: rolesWith('billing.manage'),
    });
    return csvResponse(invoiceLinesCsv(invoice), invoice.number);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') {
      return new Response('Invoice not found', { status: 404 });
    }
    throw error;
  }
}
