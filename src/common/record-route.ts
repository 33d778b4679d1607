// A record route names one record by `:id` (`/cases/:id`, `/approvals/:id/decision`). On these the
// product answers 404 both for records that do not exist and for records the caller may not see,
// so existence is never revealed; the guard and the audit of refusals agree on what they are here.

/** Path segments whose `:id` names a record, and the kind of record (the audit's `entity`). */
const KINDS: Record<string, string> = {
  cases: 'case',
  approvals: 'approval',
  jobs: 'job',
  users: 'user',
  tasks: 'task',
};

/** The kind of record a route template's `:id` names, or null when the route names none. */
export function recordKindOf(route: string | undefined): string | null {
  const m = /\/([a-z][a-z-]*)\/:id(?:\/|$)/.exec(route ?? '');
  if (!m) return null;
  return KINDS[m[1]] ?? m[1].replace(/s$/, '');
}
