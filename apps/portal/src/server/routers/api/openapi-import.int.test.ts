import { describe, expect, it } from 'vitest';
import { db, expectTrpcError, member, uniq } from '../../test/harness';
import { httpMutation } from '../../test/http';

const YAML_DOC = `openapi: 3.1.0
info:
  title: Payments
  version: "1.0"
paths:
  /payments/{id}:
    get:
      summary: One payment
      parameters:
        - name: id
          in: path
          required: true
          schema: { type: string }
      responses:
        200:
          description: The payment
`;

const STORED = {
  openapi: '3.1.0',
  info: { title: 'Payments', version: '1.0' },
  paths: {
    '/payments/{id}': {
      get: {
        summary: 'One payment',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'The payment' } },
      },
    },
  },
};

const newApi = (extra: Record<string, unknown> = {}) => ({
  name: 'Payments',
  slug: uniq('pay'),
  upstreamUrl: 'https://upstream.example.test/v1',
  visibility: 'PUBLIC' as const,
  description: '',
  ...extra,
});

describe('OpenAPI import on API creation', () => {
  it('imports a YAML document and stores it as normalized JSON, with the audit summary', async () => {
    const { org, caller } = await member('ADMIN');
    const api = await caller.api.create({ orgSlug: org.slug, ...newApi({ openapiDocument: YAML_DOC }) });
    const stored = await db.api.findUniqueOrThrow({ where: { id: api.id }, select: { openapiSpec: true } });
    expect(stored.openapiSpec).toEqual(STORED);
    const audit = await db.auditLog.findFirstOrThrow({ where: { targetId: api.id, action: 'api.create' } });
    expect(audit.after).toMatchObject({ spec: { openapi: '3.1.0', paths: 1 } });
  });

  it('imports a JSON document, and an empty field imports nothing', async () => {
    const { org, caller } = await member('ADMIN');
    const json = await caller.api.create({
      orgSlug: org.slug,
      ...newApi({ openapiDocument: JSON.stringify(STORED, null, 2) }),
    });
    const blank = await caller.api.create({ orgSlug: org.slug, ...newApi({ openapiDocument: '  \n' }) });
    const specs = await db.api.findMany({
      where: { id: { in: [json.id, blank.id] } },
      select: { id: true, openapiSpec: true },
    });
    expect(specs.find((s) => s.id === json.id)?.openapiSpec).toEqual(STORED);
    expect(specs.find((s) => s.id === blank.id)?.openapiSpec).toBeNull();
  });

  it('refuses a broken document with a field error naming the line, and creates no API', async () => {
    const { org, user } = await member('ADMIN');
    const cases: Array<[string, RegExp]> = [
      [
        'openapi: 3.1.0\ninfo:\n  title: T\npaths: [1,\n  a: b\n',
        /^Not valid YAML: Flow sequence .* at line 6, column 1$/,
      ],
      ['{\n  "openapi": "3.1.0",\n  "paths": {},\n}', /^Not valid JSON: .* at line 4, column 1$/],
      ['openapi: 3.1.0\nopenapi: 3.0.0\npaths: {}\n', /^Not valid YAML: Map keys must be unique at line 2/],
      ['swagger: "2.0"\ninfo: {}\npaths: {}\n', /Swagger 2.0 documents are not supported/],
      ['name: not an api\n', /"openapi" must be a 3.0 or 3.1 version/],
      ['openapi: 3.0.3\ninfo: { title: T, version: "1" }\n', /"paths" must be an object/],
      ['- just\n- a list\n', /must be a YAML mapping/],
    ];
    for (const [document, message] of cases) {
      const slug = uniq('bad');
      const res = await httpMutation(user.id, 'api.create', {
        orgSlug: org.slug,
        ...newApi({ slug, openapiDocument: document }),
      });
      expect(res.status, document).toBe(400);
      expect(res.fields?.openapiDocument, document).toMatch(message);
      expect(await db.api.count({ where: { orgId: org.id, slug } })).toBe(0);
    }
  });

  it('refuses an alias bomb and deep nesting with a 400, not a crash', async () => {
    const { org, user } = await member('ADMIN');
    const bomb = [
      'openapi: 3.1.0',
      'paths: {}',
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
    ].join('\n');
    const deep = `openapi: 3.1.0\npaths: {}\nx: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`;
    for (const document of [bomb, deep]) {
      const res = await httpMutation(user.id, 'api.create', {
        orgSlug: org.slug,
        ...newApi({ openapiDocument: document }),
      });
      expect(res.status).toBe(400);
      expect(res.fields?.openapiDocument).toEqual(expect.any(String));
    }
  });

  it('lets a DEVELOPER import nothing: creating stays FORBIDDEN', async () => {
    const { org, caller } = await member('DEVELOPER');
    await expectTrpcError(
      caller.api.create({ orgSlug: org.slug, ...newApi({ openapiDocument: YAML_DOC }) }),
      'FORBIDDEN',
    );
  });
});

describe('OpenAPI document edit (policy.setOpenApiSpec)', () => {
  it('saves YAML, reports syntax errors with lines, and keeps the last good document', async () => {
    const { org, caller, user } = await member('ADMIN');
    const api = await caller.api.create({ orgSlug: org.slug, ...newApi() });
    const saved = await caller.policy.setOpenApiSpec({
      orgSlug: org.slug,
      apiId: api.id,
      document: YAML_DOC,
    });
    expect(saved.summary).toEqual({ openapi: '3.1.0', paths: 1 });
    const broken = await httpMutation(user.id, 'policy.setOpenApiSpec', {
      orgSlug: org.slug,
      apiId: api.id,
      document: 'openapi: 3.1.0\npaths:\n  /x: {\n',
    });
    expect(broken.status).toBe(400);
    expect(broken.message).toBe('The document is not valid YAML');
    expect(broken.fields?.document).toMatch(/at line \d+, column \d+$/);
    const stored = await db.api.findUniqueOrThrow({ where: { id: api.id }, select: { openapiSpec: true } });
    expect(stored.openapiSpec).toEqual(STORED);
    // The editor shows the stored document back as JSON.
    const config = await caller.policy.get({ orgSlug: org.slug, apiSlug: api.slug });
    expect(JSON.parse(config.openapiSpec ?? 'null')).toEqual(STORED);
  });
});
