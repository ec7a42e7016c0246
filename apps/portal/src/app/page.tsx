import { redirect } from 'next/navigation';
import { auth } from '../server/auth';

/** Signed in: the dashboard. Signed out: the public catalog, where a developer's journey starts. */
export default async function Home() {
  const session = await auth();
  redirect(session?.user ? '/dashboard' : '/catalog');
}
