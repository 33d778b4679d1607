import { randomUUID } from 'node:crypto';
import { decodeCursor, encodeCursor } from './pagination.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe(decodeCursor.name, () => {
  it('reads back what encodeCursor writes', async () => {
    const id = randomUUID();
    const at = new Date('2026-11-02T10:11:12.345Z');
    expect(decodeCursor(encodeCursor(at, id))).toEqual({ at: at.toISOString(), id });
  });

  it('refuses any other timestamp Date.parse would take, before it reaches the database', async () => {
    const id = randomUUID();
    for (const at of [
      '2026',
      'Tue, 01 Dec 2026 00:00:00 GMT',
      '+275760-09-13T00:00:00.000Z',
      '2026-01-01T00:00:00Z\u0000',
      '2026-02-30T00:00:00.000Z',
    ])
      expect(() => decodeCursor(b64([at, id]))).toThrow('not valid');
  });

  it('refuses cursors of the wrong shape', async () => {
    for (const c of ['!!!', b64([1, 2]), b64(null), b64({ at: 'x' }), b64(['a', 'b', 'c'])])
      expect(() => decodeCursor(c)).toThrow('not valid');
  });
});
