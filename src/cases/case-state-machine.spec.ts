import {
  allowedActions,
  CASE_ACTIONS,
  CASE_STATUSES,
  IllegalTransitionError,
  nextStatus,
  TERMINAL,
  TRANSITIONS,
  type CaseAction,
  type CaseStatus,
} from './case-state-machine.js';

// The expected table, written out by hand from DESIGN.md so the implementation is checked against it.
const EXPECTED: Record<string, CaseStatus> = {
  'referred|accept': 'accepted',
  'referred|decline': 'declined',
  'referred|cancel': 'cancelled',
  'accepted|book_survey': 'survey_booked',
  'accepted|order_emergency_install': 'install_ordered',
  'accepted|cancel': 'cancelled',
  'accepted|mark_unsuccessful': 'unsuccessful',
  'survey_booked|record_survey': 'surveyed',
  'survey_booked|order_emergency_install': 'install_ordered',
  'survey_booked|cancel': 'cancelled',
  'survey_booked|mark_unsuccessful': 'unsuccessful',
  'surveyed|request_consent': 'awaiting_consent',
  'surveyed|order_install': 'install_ordered',
  'surveyed|order_emergency_install': 'install_ordered',
  'surveyed|cancel': 'cancelled',
  'surveyed|mark_unsuccessful': 'unsuccessful',
  'awaiting_consent|order_install': 'install_ordered',
  'awaiting_consent|order_emergency_install': 'install_ordered',
  'awaiting_consent|cancel': 'cancelled',
  'awaiting_consent|mark_unsuccessful': 'unsuccessful',
  'install_ordered|schedule_install': 'install_scheduled',
  'install_ordered|install_returned': 'surveyed',
  'install_ordered|cancel': 'cancelled',
  'install_ordered|mark_unsuccessful': 'unsuccessful',
  'install_scheduled|install_returned': 'surveyed',
  'install_scheduled|complete_install': 'in_support',
  'install_scheduled|cancel': 'cancelled',
  'install_scheduled|mark_unsuccessful': 'unsuccessful',
  'in_support|close': 'closed',
};

describe('case state machine', () => {
  const pairs = CASE_STATUSES.flatMap((s) =>
    CASE_ACTIONS.map((a) => [s, a] as [CaseStatus, CaseAction]),
  );

  it.each(pairs)('from %s, %s goes exactly where the table says', async (from, action) => {
    const expected = EXPECTED[`${from}|${action}`];
    if (expected) {
      expect(nextStatus(action, from)).toBe(expected);
    } else {
      expect(() => nextStatus(action, from)).toThrow(IllegalTransitionError);
    }
  });

  it('names the allowed actions when it refuses', async () => {
    try {
      nextStatus('close', 'referred');
      throw new Error('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(IllegalTransitionError);
      expect((err as IllegalTransitionError).allowed).toEqual(['accept', 'decline', 'cancel']);
    }
  });

  it('allows nothing out of a terminal status', async () => {
    for (const s of TERMINAL) expect(allowedActions(s)).toEqual([]);
  });

  it('sends a returned install back to where the case was before the order', async () => {
    expect(nextStatus('install_returned', 'install_ordered', 'awaiting_consent')).toBe(
      'awaiting_consent',
    );
    expect(nextStatus('install_returned', 'install_scheduled', 'accepted')).toBe('accepted');
    expect(nextStatus('install_returned', 'install_scheduled', 'in_support')).toBe('surveyed');
  });

  it('reaches every status from referred', async () => {
    const seen = new Set<CaseStatus>(['referred']);
    let frontier: CaseStatus[] = ['referred'];
    while (frontier.length) {
      const next: CaseStatus[] = [];
      for (const s of frontier)
        for (const a of allowedActions(s)) {
          const to = nextStatus(a, s);
          if (!seen.has(to)) {
            seen.add(to);
            next.push(to);
          }
        }
      frontier = next;
    }
    expect([...seen].sort()).toEqual([...CASE_STATUSES].sort());
  });

  it('has a rule for every action', async () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...CASE_ACTIONS].sort());
  });
});
