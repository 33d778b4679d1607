import { InitialSchema1764633600000 } from './1764633600000-initial-schema.js';
import { AuditRequestId1764640000000 } from './1764640000000-audit-request-id.js';
import { ReportsIndexes1764720000000 } from './1764720000000-reports-indexes.js';
import { TargetHardeningMonths1764806400000 } from './1764806400000-target-hardening-months.js';

/** Every migration, in order; the one list the app, the CLI and the tests run. */
export const migrations = [
  InitialSchema1764633600000,
  AuditRequestId1764640000000,
  ReportsIndexes1764720000000,
  TargetHardeningMonths1764806400000,
];
