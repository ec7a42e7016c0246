'use client';

import { aiSnippet, promptSnippet } from './how-to-call-snippets';

/**
 * A short "how to call" for AI gateway and prompt APIs: the official openai SDK pointed at the gateway
 * (AI), or curl against POST /v1/run with example variables from the input schema (PROMPT).
 */

export function HowToCall({ kind, baseUrl, spec }: { kind: string; baseUrl: string; spec: unknown }) {
  if (kind !== 'AI' && kind !== 'PROMPT') return null;
  return (
    <section className="card" aria-labelledby="how-to-call-title">
      <h2 id="how-to-call-title">How to call</h2>
      {kind === 'AI' ? (
        <p className="muted">
          OpenAI-compatible (<code>/v1/chat/completions</code>, <code>/v1/embeddings</code>,{' '}
          <code>/v1/models</code>) and Anthropic-compatible (<code>/v1/messages</code>): point an official SDK
          at the gateway.
        </p>
      ) : (
        <p className="muted">
          Send the prompt's variables as JSON; the answer holds the output and the token usage.
        </p>
      )}
      <pre className="code" data-testid="how-to-call">
        {kind === 'AI' ? aiSnippet(baseUrl) : promptSnippet(baseUrl, spec)}
      </pre>
      <p className="muted">
        When a token limit or budget of your plan is used up the gateway answers <code>429</code> with{' '}
        <code>token_limit_exceeded</code> or <code>budget_exceeded</code>.
      </p>
    </section>
  );
}
