import Link from 'next/link';
import { buttonClasses } from '~/components/ui/button-classes';

/** Signed out: the way to an account (and back to this API's page) before subscribing. */
export function SignInToSubscribe({ back }: { back: string }) {
  const callbackUrl = encodeURIComponent(back);
  return (
    <p>
      <Link className={buttonClasses()} href={`/signup?callbackUrl=${callbackUrl}`}>
        Sign up to subscribe
      </Link>{' '}
      <span className="muted">
        or <Link href={`/signin?callbackUrl=${callbackUrl}`}>sign in</Link>. No organization or app needed
        first: subscribing sets them up.
      </span>
    </p>
  );
}
