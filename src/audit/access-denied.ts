// A request refused by an access rule is audited like a read: who tried, which kind of record and
// which id, and the answer (issue #6: N sensitive reads and D denials give N and D audit rows).
// Refusals are 403s, and 404s on record routes (where "not found" and "not yours" are one answer).
// Only authenticated callers are recorded: a 401 has no actor to name. The row holds the route
// template, never the raw URL (a query string may carry search terms), and no personal data.
import type { Principal } from '../auth/principal.js';
import { recordKindOf } from '../common/record-route.js';
import { isUuid } from '../common/validation.js';
import type { AuditEntry } from './audit.service.js';

export const ACCESS_DENIED = 'access.denied';

export interface RefusedRequest {
  /** set by the auth guard once the token and its account hold */
  principal?: Principal;
  method: string;
  /** the route template (`/api/v1/cases/:id`); undefined when no route matched */
  route?: string;
  params?: Record<string, string | undefined>;
  requestId?: string | null;
}

/** The audit row a refused request writes, or null when the answer is not a refusal. */
export function accessDenial(req: RefusedRequest, status: number): AuditEntry | null {
  const p = req.principal;
  if (!p || !req.route) return null;
  const kind = recordKindOf(req.route);
  if (!(status === 403 || (status === 404 && kind))) return null;
  const id = req.params?.id;
  return {
    schemeId: p.schemeId,
    actorId: p.id,
    action: ACCESS_DENIED,
    entity: kind ?? 'route',
    entityId: kind && isUuid(id) ? id.toLowerCase() : null,
    data: { status, method: req.method.toUpperCase(), route: req.route },
    requestId: req.requestId ?? null,
  };
}
