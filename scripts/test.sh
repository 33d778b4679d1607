#!/usr/bin/env bash
# One command for the whole suite: unit tests (no services) and end-to-end tests against the real
# PostgreSQL and Redis. Every test app makes its own database and Redis key prefix and drops them.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then npm ci --no-audit --no-fund || exit 1; fi
node scripts/check-services.mjs || exit 1
npx tsc -p tsconfig.json --noEmit || { echo "type check failed"; exit 1; }
# The process tests start the built service, exactly as `npm run start:prod` does.
npm run --silent build || { echo "build failed"; exit 1; }
NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects unit e2e --maxWorkers=2 "$@" || exit 1
# The fault tests that fit in CI (about a minute, one at a time: they stop and restart their own
# Redis and PostgreSQL servers and cut connections). The repeated worker kills (two minutes) run in
# `npm run test:faults`; CI kills a worker mid-chase in test/workers.e2e-spec.ts.
if [ "$#" -eq 0 ]; then
  NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects faults --runInBand \
    --testPathIgnorePatterns worker-kill || exit 1
fi
