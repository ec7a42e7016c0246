import { ManagementReference } from './_components/management-reference';
import { ProblemCodes } from './_components/problem-codes';

export const metadata = { title: 'Management API' };

export default function ManagementApiDocsPage() {
  return (
    <>
      <div className="page-head">
        <h1>Management API</h1>
        <p className="muted m-0">
          Automate everything an organization&apos;s admins do in the portal. Create a token on your
          organization&apos;s API tokens page and send it as <code>Authorization: Bearer pcm_…</code>. The
          same operations are tools of the MCP server at <code>/api/v1/mcp</code> (Streamable HTTP), listed by
          the token&apos;s scopes. The machine-readable document is at{' '}
          <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
        </p>
      </div>
      <ProblemCodes />
      <ManagementReference />
    </>
  );
}
