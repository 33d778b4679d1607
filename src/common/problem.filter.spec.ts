import { QueryFailedError } from 'typeorm';
import { toProblem } from './problem.filter.js';

const named = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error('x'), { name, ...extra });

describe('toProblem: a database that is away is a 503, never a 500', () => {
  it.each([
    [
      'a backend terminated (57P01)',
      new QueryFailedError(
        'SELECT 1',
        [],
        Object.assign(new Error('terminating connection'), { code: '57P01' }),
      ),
    ],
    [
      'the server shutting down or starting (57P03)',
      new QueryFailedError(
        'SELECT 1',
        [],
        Object.assign(new Error('starting up'), { code: '57P03' }),
      ),
    ],
    ['a refused connection', named('Error', { code: 'ECONNREFUSED' })],
    ['a reset connection', named('Error', { code: 'ECONNRESET' })],
    ['a broken pipe', named('Error', { code: 'EPIPE' })],
    ['a connection that died under a transaction', named('QueryRunnerAlreadyReleasedError')],
    ['a connection released twice', named('QueryRunnerProviderAlreadyReleasedError')],
    ['a pool that timed out', new Error('timeout exceeded when trying to connect')],
    ['a connection terminated', new Error('Connection terminated unexpectedly')],
  ])('%s', (_label, err) => {
    const p = toProblem(err, '/api/v1/cases');
    expect(p.status).toBe(503);
    expect(p.code).toBe('UNAVAILABLE');
    expect(p.detail).not.toMatch(/SELECT|terminating|ECONN/);
  });

  it('keeps anything else a 500 without its message', () => {
    const p = toProblem(new Error('secret detail at /srv/app.js'), '/api/v1/cases');
    expect(p.status).toBe(500);
    expect(JSON.stringify(p)).not.toMatch(/secret|srv/);
  });
});
