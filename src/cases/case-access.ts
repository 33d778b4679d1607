// Who may open which case. Scheme managers see every case of their scheme; IDVAs see their
// scheme's cases except restricted ones they are not named on — unless they give a reason
// (break-glass), which is audited and reported to the managers.
import type { Principal } from '../auth/principal.js';
import type { CaseRow } from './case-row.js';

export type Access = 'allowed' | 'break_glass' | 'hidden';

export function caseAccess(
  me: Principal,
  row: Pick<CaseRow, 'restricted' | 'restrictedTo' | 'assignedTo' | 'createdBy'>,
  accessReason?: string,
): Access {
  if (me.role === 'scheme_manager') return 'allowed';
  if (me.role !== 'idva') return 'hidden';
  if (!row.restricted) return 'allowed';
  if (row.restrictedTo.includes(me.id) || row.assignedTo === me.id) return 'allowed';
  return accessReason && accessReason.trim().length >= 5 ? 'break_glass' : 'hidden';
}

/** SQL condition (for lists) matching the rule above for IDVAs; $n is the caller's id. */
export function visibleToSql(alias: string, param: string): string {
  return `(NOT ${alias}.restricted OR ${param} = ANY(${alias}.restricted_to) OR ${alias}.assigned_to = ${param})`;
}
