'use client';

import { CodeBlock, CopyButton } from '~/components/ui/code-block';
import { Input } from '~/components/ui/field';
import { curlExample } from './scopes';

/** The new token, shown once (only its hash is stored), with a first call to try it. */
export function TokenCreated({ name, token }: { name: string; token: string }) {
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  return (
    <div className="card min-w-0" role="status" data-testid="token-created">
      <p className="m-0 font-semibold text-ok">Token “{name}” created.</p>
      <p className="m-0 mb-3 text-sm text-muted">Copy it now: it is shown once and cannot be shown again.</p>
      <label htmlFor="new-token" className="text-sm font-semibold">
        Token
      </label>
      <div className="mt-1 mb-3 flex min-w-0 flex-wrap items-center gap-2">
        <Input
          id="new-token"
          readOnly
          value={token}
          className="min-w-0 flex-[1_1_16rem] font-mono text-sm"
          onFocus={(e) => e.currentTarget.select()}
        />
        <CopyButton text={token} label="Copy token" />
      </div>
      <CodeBlock code={curlExample(origin, token)} label="curl example" nowrap />
    </div>
  );
}
