'use client';

import { CodeBlock } from '~/components/ui/code-block';
import { curlSnippet, type FirstCall, fetchSnippet } from './first-call';

/**
 * A first call with a new key, written out for curl and for fetch, each ready to paste and with a copy
 * button. `headingLevel` fits the snippets' headings under the section that shows them.
 */
export function KeySnippets({
  call,
  plaintext,
  headingLevel = 4,
}: {
  call: FirstCall;
  plaintext: string;
  headingLevel?: 3 | 4;
}) {
  const Heading = headingLevel === 3 ? 'h3' : 'h4';
  return (
    <>
      <Heading>Call the API with curl</Heading>
      <div data-testid="snippet-curl">
        <CodeBlock label="curl command" code={curlSnippet(call, plaintext)} />
      </div>
      <Heading>Or from code with fetch (Node 18+ or a browser)</Heading>
      <div data-testid="snippet-fetch">
        <CodeBlock label="fetch code" code={fetchSnippet(call, plaintext)} />
      </div>
    </>
  );
}
