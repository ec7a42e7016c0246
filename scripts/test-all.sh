#!/usr/bin/env bash
# Runs every test: lint, typecheck, unit, integration (real Postgres + Redis), the portal build,
# the Playwright journey in Chromium, and the zero-config platform smoke test.
# Needs Postgres at TEST_DATABASE_URL's server (default 127.0.0.1:5432, user postgres) and Redis at
# REDIS_URL (default 127.0.0.1:6379); `.ci/run` installs and starts both on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/portcullis_test}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export E2E_DATABASE_URL="${E2E_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/portcullis_e2e}"

step() { printf '\n=== %s ===\n' "$1"; }

step lint;        npx biome check . && npx knip --no-progress
step typecheck;   npm run typecheck
step unit;        npx vitest run --project unit
step integration; npx vitest run --project integration
step build;       AUTH_SECRET=build-time-placeholder-secret-0123456789 npx next build apps/portal
step e2e;         npx tsx scripts/reset-db.ts "$E2E_DATABASE_URL" && rm -rf .data/e2e && npx playwright test
step smoke;       npx tsx scripts/smoke-platform.ts
printf '\nall test stages passed\n'
