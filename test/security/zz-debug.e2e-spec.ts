import { bearer, makeScheme, startApp, type TestApp } from '../support/app.js';
describe('debug', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => t?.close());
  it('x', async () => {
    const s = await makeScheme(t);
    const r1 = await t.http
      .post('/api/v1/auth/login')
      .set('content-type', 'application/json')
      .send('{"email":"\\ud800 lone surrogate","password":"x"}');
    console.log(r1.status);
    const r2 = await t.http
      .patch('/api/v1/scheme/settings')
      .set(bearer(s.manager.token))
      .send({ costApprovalThreshold: -1e-9 });
    console.log(r2.status, r2.text);
  });
});
