-- CreateTable
CREATE TABLE "UpstreamAllowedHost" (
    "id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "allTenants" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "UpstreamAllowedHost_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UpstreamAllowedHostOrg" (
    "hostId" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,

    CONSTRAINT "UpstreamAllowedHostOrg_pkey" PRIMARY KEY ("hostId","orgId")
);

-- CreateIndex
CREATE UNIQUE INDEX "UpstreamAllowedHost_host_key" ON "UpstreamAllowedHost"("host");

-- CreateIndex
CREATE INDEX "UpstreamAllowedHostOrg_orgId_idx" ON "UpstreamAllowedHostOrg"("orgId");

-- AddForeignKey
ALTER TABLE "UpstreamAllowedHostOrg" ADD CONSTRAINT "UpstreamAllowedHostOrg_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "UpstreamAllowedHost"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UpstreamAllowedHostOrg" ADD CONSTRAINT "UpstreamAllowedHostOrg_orgId_fkey" FOREIGN KEY ("orgId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Data: the former platform-wide list (PlatformSetting 'upstream.allowedHosts') becomes one entry per
-- host, for the organizations whose APIs (upstream URL, extra and per-version targets) or AI credentials
-- (endpoint URL) name that host today, so everything that works keeps working and nothing more; a host no
-- organization uses is kept, applying to nobody until a platform admin assigns it. Why not "all tenants":
-- docs/decisions/org-scoped-upstream-allow-list.md.
INSERT INTO "UpstreamAllowedHost" ("id", "host", "allTenants", "createdAt", "updatedAt")
SELECT DISTINCT 'uah_' || md5(legacy.host), legacy.host, false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
FROM (
  SELECT lower(btrim(entry.value)) AS host
  FROM "PlatformSetting" s,
    jsonb_array_elements_text(CASE WHEN jsonb_typeof(s."value") = 'array' THEN s."value" ELSE '[]'::jsonb END)
      AS entry(value)
  WHERE s."key" = 'upstream.allowedHosts'
) AS legacy
WHERE legacy.host <> '';

WITH urls AS (
  SELECT a."orgId", a."upstreamUrl" AS url FROM "Api" a
  UNION ALL
  SELECT a."orgId", t.value ->> 'url'
  FROM "Api" a,
    jsonb_array_elements(CASE WHEN jsonb_typeof(a."upstream" -> 'targets') = 'array'
      THEN a."upstream" -> 'targets' ELSE '[]'::jsonb END) AS t(value)
  UNION ALL
  SELECT a."orgId", t.value ->> 'url'
  FROM "Api" a,
    jsonb_each(CASE WHEN jsonb_typeof(a."upstream" -> 'versions') = 'object'
      THEN a."upstream" -> 'versions' ELSE '{}'::jsonb END) AS v(name, targets),
    jsonb_array_elements(CASE WHEN jsonb_typeof(v.targets) = 'array' THEN v.targets ELSE '[]'::jsonb END) AS t(value)
  UNION ALL
  SELECT c."orgId", c."baseUrl" FROM "ProviderCredential" c WHERE c."baseUrl" IS NOT NULL
),
-- scheme and authority (host[:port], IPv6 in brackets) of each URL, without any user:password@
authorities AS (
  SELECT u."orgId", lower(m[1]) AS scheme, lower(m[2]) AS authority
  FROM urls u, regexp_match(btrim(u.url), '^([a-zA-Z][a-zA-Z0-9+.-]*)://(?:[^@/?#]*@)?([^/?#]*)') AS m
  WHERE u.url IS NOT NULL AND m IS NOT NULL
),
-- what the SSRF guard compares an entry with: host:port as written, the bare host, and host:default-port
candidates AS (
  SELECT "orgId", authority AS host FROM authorities
  UNION
  SELECT "orgId", regexp_replace(authority, ':[0-9]*$', '') FROM authorities
  UNION
  SELECT "orgId", authority || CASE WHEN scheme = 'https' THEN ':443' ELSE ':80' END
  FROM authorities WHERE authority !~ ':[0-9]*$'
)
INSERT INTO "UpstreamAllowedHostOrg" ("hostId", "orgId")
SELECT DISTINCT h."id", c."orgId"
FROM candidates c JOIN "UpstreamAllowedHost" h ON h."host" = c.host;

DELETE FROM "PlatformSetting" WHERE "key" = 'upstream.allowedHosts';
