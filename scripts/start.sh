#!/usr/bin/env bash
# One command to run the service: install, build, create the database if missing, migrate, start
# the API and the workers (APP_ROLE=all) in one process.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
node scripts/check-services.mjs
npm run --silent build
exec node dist/src/main.js
