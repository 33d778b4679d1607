import { CASE_STATUSES, isTerminal } from '../cases/case-state-machine.js';
import { OPEN_STAGES } from './report-codes.js';

describe('report codes', () => {
  // The order clients see is pinned by the pipeline e2e test (test/reports.e2e-spec.ts).
  it('counts every status the state machine does not end a case in, in lifecycle order', async () => {
    expect(OPEN_STAGES).toEqual(CASE_STATUSES.filter((s) => !isTerminal(s)));
    expect(OPEN_STAGES).toContain('in_support');
    expect(OPEN_STAGES).not.toContain('closed');
  });
});
