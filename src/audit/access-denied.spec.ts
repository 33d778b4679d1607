import type { Principal } from '../auth/principal.js';
import { recordKindOf } from '../common/record-route.js';
import { accessDenial } from './access-denied.js';

const idva: Principal = { id: 'u1', role: 'idva', schemeId: 's1', contractorId: null };
const ID = '0b7e6c1e-8f4a-4c1e-9d3a-2f1b5c6d7e8f';

describe('accessDenial', () => {
  it('records a 404 on a record route with the kind, the id and the route template', async () => {
    expect(
      accessDenial(
        {
          principal: idva,
          method: 'post',
          route: '/api/v1/approvals/:id/decision',
          params: { id: ID.toUpperCase() },
          requestId: 'r1',
        },
        404,
      ),
    ).toEqual({
      schemeId: 's1',
      actorId: 'u1',
      action: 'access.denied',
      entity: 'approval',
      entityId: ID,
      data: { status: 404, method: 'POST', route: '/api/v1/approvals/:id/decision' },
      requestId: 'r1',
    });
  });
  it('records a 403 on a route without a record as entity `route`', async () => {
    expect(
      accessDenial({ principal: idva, method: 'GET', route: '/api/v1/reports/pipeline' }, 403),
    ).toEqual(expect.objectContaining({ entity: 'route', entityId: null }));
  });
  it('keeps an id that is not a UUID out of the row', async () => {
    expect(
      accessDenial(
        { principal: idva, method: 'GET', route: '/api/v1/cases/:id', params: { id: 'x?q=1' } },
        404,
      ),
    ).toEqual(expect.objectContaining({ entity: 'case', entityId: null }));
  });
  it('records nothing for anonymous callers, other statuses or 404s off record routes', async () => {
    const route = '/api/v1/cases/:id';
    expect(accessDenial({ method: 'GET', route }, 404)).toBeNull();
    for (const status of [400, 401, 409, 422, 500])
      expect(accessDenial({ principal: idva, method: 'GET', route }, status)).toBeNull();
    expect(
      accessDenial({ principal: idva, method: 'POST', route: '/api/v1/users' }, 404),
    ).toBeNull();
    expect(accessDenial({ principal: idva, method: 'GET' }, 403)).toBeNull();
  });
});

describe('recordKindOf', () => {
  it('names the record an `:id` route is about, and nothing for other routes', async () => {
    expect(recordKindOf('/api/v1/cases/:id/timeline')).toBe('case');
    expect(recordKindOf('/api/v1/jobs/:id')).toBe('job');
    expect(recordKindOf('/api/v1/tasks/:id/done')).toBe('task');
    expect(recordKindOf('/api/v1/consent/:token')).toBeNull();
    expect(recordKindOf('/api/v1/cases')).toBeNull();
    expect(recordKindOf(undefined)).toBeNull();
  });
});
