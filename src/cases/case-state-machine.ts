// The case lifecycle of DESIGN.md as one table: every action endpoint asks this table whether the
// case may move, and to where. Pure: no Nest, no TypeORM, unit-tested exhaustively.

export const CASE_STATUSES = [
  'referred',
  'accepted',
  'survey_booked',
  'surveyed',
  'awaiting_consent',
  'install_ordered',
  'install_scheduled',
  'in_support',
  'closed',
  'declined',
  'cancelled',
  'unsuccessful',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

const TERMINAL_STATUSES = [
  'closed',
  'declined',
  'cancelled',
  'unsuccessful',
] as const satisfies readonly CaseStatus[];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];
export type OpenStatus = Exclude<CaseStatus, TerminalStatus>;

export const TERMINAL: readonly CaseStatus[] = TERMINAL_STATUSES;
/** Every status a case can still move out of, in lifecycle order. */
export const OPEN_STATUSES: readonly OpenStatus[] = CASE_STATUSES.filter(
  (s): s is OpenStatus => !TERMINAL.includes(s),
);
const BEFORE_INSTALL: CaseStatus[] = [
  'referred',
  'accepted',
  'survey_booked',
  'surveyed',
  'awaiting_consent',
  'install_ordered',
  'install_scheduled',
];

export const CASE_ACTIONS = [
  'accept',
  'decline',
  'book_survey',
  'record_survey',
  'request_consent',
  'order_install',
  'order_emergency_install',
  'schedule_install',
  'install_returned',
  'complete_install',
  'cancel',
  'mark_unsuccessful',
  'close',
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

interface Rule {
  from: readonly CaseStatus[];
  /** Where the case goes; `null` means "back where it was before the install was ordered". */
  to: CaseStatus | null;
}

export const TRANSITIONS: Record<CaseAction, Rule> = {
  accept: { from: ['referred'], to: 'accepted' },
  decline: { from: ['referred'], to: 'declined' },
  book_survey: { from: ['accepted'], to: 'survey_booked' },
  record_survey: { from: ['survey_booked'], to: 'surveyed' },
  request_consent: { from: ['surveyed'], to: 'awaiting_consent' },
  order_install: { from: ['surveyed', 'awaiting_consent'], to: 'install_ordered' },
  // Emergency route: the install may be ordered before the survey and the written consent.
  order_emergency_install: {
    from: ['accepted', 'survey_booked', 'surveyed', 'awaiting_consent'],
    to: 'install_ordered',
  },
  schedule_install: { from: ['install_ordered'], to: 'install_scheduled' },
  // A job declined, or failed for a reason other than landlord refusal: back to install-ready.
  install_returned: { from: ['install_ordered', 'install_scheduled'], to: null },
  complete_install: { from: ['install_scheduled'], to: 'in_support' },
  cancel: { from: BEFORE_INSTALL, to: 'cancelled' },
  mark_unsuccessful: { from: BEFORE_INSTALL.filter((s) => s !== 'referred'), to: 'unsuccessful' },
  close: { from: ['in_support'], to: 'closed' },
};

/** The action names an API client sees in a 409 (endpoint-shaped). */
export const ACTION_LABELS: Record<CaseAction, string> = {
  accept: 'accept',
  decline: 'decline',
  book_survey: 'survey',
  record_survey: 'survey/result',
  request_consent: 'consent-requests',
  order_install: 'install-jobs',
  order_emergency_install: 'install-jobs (emergency)',
  schedule_install: 'jobs/:id/accept',
  install_returned: 'jobs/:id/decline',
  complete_install: 'jobs/:id/complete',
  cancel: 'cancel',
  mark_unsuccessful: 'unsuccessful',
  close: 'close',
};

export class IllegalTransitionError extends Error {
  constructor(
    readonly action: CaseAction,
    readonly from: CaseStatus,
    readonly allowed: CaseAction[],
  ) {
    super(`cannot ${action} a case that is ${from}`);
  }
}

export function canTransition(action: CaseAction, from: CaseStatus): boolean {
  return TRANSITIONS[action].from.includes(from);
}

export function allowedActions(from: CaseStatus): CaseAction[] {
  return CASE_ACTIONS.filter((a) => canTransition(a, from));
}

/**
 * The status after `action`, or IllegalTransitionError naming what is allowed. `returnTo` is the
 * status the case had before its install was ordered (needed only for install_returned).
 */
export function nextStatus(
  action: CaseAction,
  from: CaseStatus,
  returnTo?: CaseStatus,
): CaseStatus {
  if (!canTransition(action, from))
    throw new IllegalTransitionError(action, from, allowedActions(from));
  const to = TRANSITIONS[action].to;
  if (to) return to;
  if (
    !returnTo ||
    !['accepted', 'survey_booked', 'surveyed', 'awaiting_consent'].includes(returnTo)
  ) {
    return 'surveyed';
  }
  return returnTo;
}

export function isTerminal(s: CaseStatus): boolean {
  return TERMINAL.includes(s);
}
