import { isPlatformAdmin } from '@portcullis/services/verbs/settings';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { currentUserId } from '../../../server/auth';
import { serviceDb } from '../../../server/db';

/** Platform operators only; everyone else sees a 404 (the procedures answer FORBIDDEN as well). */
export default async function AdminLayout({ children }: { children: ReactNode }) {
  const userId = await currentUserId();
  if (!userId || !(await isPlatformAdmin({ db: serviceDb(), actor: { id: userId } }))) notFound();
  return children;
}
