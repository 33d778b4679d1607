// Attacks on credentials: forged and replayed bearer tokens, tokens of users who no longer exist,
// the landlord's consent link (forged, truncated, reused, expired), and sign-in answers that could
// tell an attacker which email addresses have accounts.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ADMIN, bearer, PASSWORD, startApp, type TestApp } from '../support/app.js';
import { act, createCase, MEASURES } from '../support/cases.js';
import {
  buildWorld,
  canariesIn,
  problemDefects,
  send,
  staff,
  type Exchange,
  type World,
} from './support/world.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A problem answer without its `instance` (which repeats the caller's own path). */
const sameness = (x: Exchange) => {
  const { instance: _instance, ...rest } = x.body ?? {};
  return { status: x.status, contentType: x.contentType, body: rest };
};

describe('tokens and links', () => {
  let t: TestApp;
  let w: World;
  let secret: string;

  beforeAll(async () => {
    t = await startApp({ LOGIN_MAX_FAILURES: '3' });
    w = await buildWorld(t);
    secret = t.env.JWT_SECRET;
  }, 120_000);
  afterAll(async () => t?.close());

  /** The claims the service itself signs for A's IDVA. */
  const claims = () => ({ role: 'idva', sch: w.a.id, con: null });
  const signed = (
    payload: object,
    key: jwt.Secret,
    opts: jwt.SignOptions = {},
    defaults: jwt.SignOptions = {
      subject: w.a.idva.id,
      issuer: 'sanctuary',
      audience: 'sanctuary-api',
      expiresIn: 600,
    },
  ) => jwt.sign(payload, key, { algorithm: 'HS256', ...defaults, ...opts });

  describe('bearer tokens', () => {
    it('refuses forged, tampered, expired and malformed tokens on every kind of route', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const [header, payload, signature] = w.a.idva.token.split('.');
      const now = Math.floor(Date.now() / 1000);
      const unsigned = (alg: string) =>
        `${b64({ alg, typ: 'JWT' })}.${b64({ ...claims(), sub: w.a.idva.id, iss: 'sanctuary', aud: 'sanctuary-api', exp: now + 600 })}.`;
      const forged: [string, string][] = [
        ['signed with another key', signed(claims(), randomBytes(32).toString('hex'))],
        ['alg none', unsigned('none')],
        ['alg None', unsigned('None')],
        ['alg NONE', unsigned('NONE')],
        ['HS512 with the real secret', signed(claims(), secret, { algorithm: 'HS512' })],
        ['HS384 with the real secret', signed(claims(), secret, { algorithm: 'HS384' })],
        ['RS256 with an attacker key', signed(claims(), privateKey, { algorithm: 'RS256' })],
        ['HS256 keyed with a public key (alg confusion)', signed(claims(), publicPem)],
        [
          'expired',
          signed(
            { ...claims(), exp: now - 60 },
            secret,
            {},
            {
              subject: w.a.idva.id,
              issuer: 'sanctuary',
              audience: 'sanctuary-api',
            },
          ),
        ],
        ['not valid yet', signed(claims(), secret, { notBefore: 3600 })],
        ['another issuer', signed(claims(), secret, { issuer: 'evil' })],
        ['another audience', signed(claims(), secret, { audience: 'other-api' })],
        [
          'no subject',
          signed(
            claims(),
            secret,
            {},
            { issuer: 'sanctuary', audience: 'sanctuary-api', expiresIn: 600 },
          ),
        ],
        ['an unknown role', signed({ ...claims(), role: 'superadmin' }, secret)],
        [
          'payload changed, signature kept',
          `${header}.${b64({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'scheme_manager' })}.${signature}`,
        ],
        ['signature removed', `${header}.${payload}.`],
        ['signature of another token', `${header}.${payload}.${w.b.idva.token.split('.')[2]}`],
        ['three dots of garbage', 'a.b.c'],
        ['8 kB of garbage', 'x'.repeat(8 * 1024)],
      ];
      const routes = [
        { method: 'get', url: '/api/v1/me' },
        { method: 'get', url: `/api/v1/cases/${w.ra.caseId}` },
        { method: 'get', url: '/api/v1/cases' },
        {
          method: 'post',
          url: `/api/v1/cases/${w.ra.caseId}/cancel`,
          body: { reason: 'withdrew' },
        },
      ];
      const [before] = await t.ds.query(`SELECT status, version FROM cases WHERE id = $1`, [
        w.ra.caseId,
      ]);
      const failures: string[] = [];
      for (const [what, token] of forged) {
        for (const r of routes) {
          const x = await send(t, { ...r, token });
          if (x.status !== 401) failures.push(`${what}: ${r.method} ${r.url} → ${x.status}`);
          failures.push(...problemDefects(x).map((d) => `${what}: ${d}`));
        }
      }
      for (const header of [
        'Bearer',
        'Bearer ',
        'bearer',
        'BEARER ',
        `Bearer ${w.a.idva.token} ${w.a.idva.token}`,
        `bearer ${w.a.idva.token} ${w.a.idva.token}`,
        `Basic ${w.a.idva.token}`,
        'Basic xyz',
        `Token ${w.a.idva.token}`,
        `Bearer${w.a.idva.token}`,
      ]) {
        const x = await send(t, {
          method: 'get',
          url: '/api/v1/me',
          headers: { Authorization: header },
        });
        if (x.status !== 401) failures.push(`Authorization: ${header.slice(0, 20)}… → ${x.status}`);
        failures.push(
          ...problemDefects(x).map((d) => `Authorization: ${header.slice(0, 20)}… ${d}`),
        );
      }
      console.log(
        `bearer tokens: ${forged.length} forged tokens × ${routes.length} routes refused`,
      );
      expect(failures).toEqual([]);
      const [after] = await t.ds.query(`SELECT status, version FROM cases WHERE id = $1`, [
        w.ra.caseId,
      ]);
      expect(after).toEqual(before);
    });

    it('accepts the bearer scheme name in any case (RFC 7235)', async () => {
      for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
        const x = await send(t, {
          method: 'get',
          url: '/api/v1/me',
          headers: { Authorization: `${scheme} ${w.a.idva.token}` },
        });
        expect([scheme, x.status]).toEqual([scheme, 200]);
        expect(x.body.id).toBe(w.a.idva.id);
      }
    });

    it('stops a token the moment its user is deactivated or deleted, or its role or scheme changes', async () => {
      const make = async () => {
        const u = await staff(t, 'idva', w.a.id);
        expect(
          (await send(t, { method: 'get', url: '/api/v1/cases', token: u.token })).status,
        ).toBe(200);
        return u;
      };
      const deactivated = await make();
      const deleted = await make();
      const demoted = await make();
      const moved = await make();
      await t.ds.query(`UPDATE users SET active = false WHERE id = $1`, [deactivated.id]);
      await t.ds.query(`DELETE FROM users WHERE id = $1`, [deleted.id]);
      await t.ds.query(`UPDATE users SET role = 'installer', contractor_id = $2 WHERE id = $1`, [
        demoted.id,
        w.a.contractorId,
      ]);
      await t.ds.query(`UPDATE users SET scheme_id = $2 WHERE id = $1`, [moved.id, w.b.id]);
      for (const u of [deactivated, deleted, demoted, moved]) {
        for (const url of ['/api/v1/me', `/api/v1/cases/${w.ra.caseId}`, '/api/v1/cases']) {
          const x = await send(t, { method: 'get', url, token: u.token });
          expect([url, x.status]).toEqual([url, 401]);
          expect(canariesIn(x.text)).toEqual([]);
        }
      }
    });

    it('gives another scheme’s user the same 404 for scheme A’s records as for ids that do not exist', async () => {
      const token = w.b.idva.token;
      const pairs: [string, string, unknown?][] = [
        ['get', `/api/v1/cases/{}`],
        ['get', `/api/v1/cases/{}/timeline`],
        ['patch', `/api/v1/cases/{}`, { riskLevel: 'medium' }],
        ['post', `/api/v1/cases/{}/cancel`, { reason: 'withdrew' }],
      ];
      for (const [method, url, body] of pairs) {
        const real = await send(t, { method, url: url.replace('{}', w.ra.caseId), token, body });
        const none = await send(t, { method, url: url.replace('{}', randomUUID()), token, body });
        expect(real.status).toBe(404);
        expect(sameness(real)).toEqual(sameness(none));
      }
      for (const [url, id, body] of [
        [
          '/api/v1/approvals/{}/decision',
          w.ra.consentApprovalId,
          { decision: 'granted', respondent: 'x' },
        ],
        [
          '/api/v1/jobs/{}/complete',
          w.ra.jobId,
          { measuresInstalled: [{ code: 'lock_change', quantity: 1 }] },
        ],
      ] as const) {
        const who = url.includes('jobs') ? w.b.installer.token : token;
        const real = await send(t, {
          method: 'post',
          url: url.replace('{}', id),
          token: who,
          body,
        });
        const none = await send(t, {
          method: 'post',
          url: url.replace('{}', randomUUID()),
          token: who,
          body,
        });
        expect(real.status).toBe(404);
        expect(sameness(real)).toEqual(sameness(none));
      }
    });
  });

  describe('the landlord’s consent link', () => {
    /** A fresh tenancy case awaiting consent, and its link's token. */
    async function awaitingConsent(): Promise<{
      caseId: string;
      approvalId: string;
      token: string;
    }> {
      const c = await createCase(t.http, w.a);
      await act(t.http, w.a.idva.token, `/cases/${c.id}/accept`);
      await act(t.http, w.a.idva.token, `/cases/${c.id}/survey`, {
        scheduledFor: '2026-11-10T10:00:00Z',
        surveyor: 'Sam Surveyor',
      });
      await act(t.http, w.a.idva.token, `/cases/${c.id}/survey/result`, { measures: MEASURES });
      const a = await act(t.http, w.a.idva.token, `/cases/${c.id}/consent-requests`, {}, 201);
      return { caseId: c.id, approvalId: a.id, token: String(a.consentUrl).split('/consent/')[1] };
    }

    const view = (token: string) => send(t, { method: 'get', url: `/api/v1/consent/${token}` });
    const decide = (token: string, decision = 'granted') =>
      send(t, {
        method: 'post',
        url: `/api/v1/consent/${token}`,
        body: { decision, name: 'Lee Landlord' },
      });
    const approval = async (id: string) =>
      (
        await t.ds.query(`SELECT status, version, token_used_at FROM approvals WHERE id = $1`, [id])
      )[0];

    let notFound: ReturnType<typeof sameness>;

    beforeAll(async () => {
      notFound = sameness(await view(randomBytes(32).toString('base64url')));
      expect(notFound.status).toBe(404);
    });

    it('shows the landlord the address and the works, nothing about the abuse', async () => {
      const { token } = await awaitingConsent();
      const x = await view(token);
      expect(x.status).toBe(200);
      expect(Object.keys(x.body).sort()).toEqual(['address', 'dueAt', 'proposedWorks', 'status']);
      expect(canariesIn(x.text).sort()).toEqual(['line1', 'postcode']);
      expect(x.text).not.toMatch(/risk|marac|perpetrator|codeWord|safeContact|referral|idva/i);
    });

    it('answers forged, truncated, altered and malformed tokens with the same 404 and changes nothing', async () => {
      const { approvalId, token } = await awaitingConsent();
      const before = await approval(approvalId);
      const bad = [
        randomBytes(32).toString('base64url'),
        token.slice(0, -1),
        token.slice(1),
        `${token}A`,
        token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'),
        token.toUpperCase() === token ? token.toLowerCase() : token.toUpperCase(),
        'short',
        `${token}%00`,
        encodeURIComponent("' OR '1'='1"),
        'a'.repeat(99),
        randomUUID(),
      ];
      for (const b of bad) {
        expect(sameness(await view(b))).toEqual(notFound);
        expect(sameness(await decide(b))).toEqual(notFound);
      }
      expect(await approval(approvalId)).toEqual(before);
    });

    it('is single use: after the decision the link answers the same 404', async () => {
      const { approvalId, token } = await awaitingConsent();
      expect((await decide(token, 'granted')).status).toBe(200);
      const decided = await approval(approvalId);
      expect(decided.status).toBe('granted');
      expect(sameness(await view(token))).toEqual(notFound);
      expect(sameness(await decide(token, 'refused'))).toEqual(notFound);
      expect(await approval(approvalId)).toEqual(decided);
    });

    it('dies when staff record the decision instead', async () => {
      const { approvalId, token } = await awaitingConsent();
      await act(t.http, w.a.idva.token, `/approvals/${approvalId}/decision`, {
        decision: 'granted',
        respondent: 'Housing officer by phone',
      });
      expect(sameness(await view(token))).toEqual(notFound);
      expect(sameness(await decide(token, 'refused'))).toEqual(notFound);
    });

    it('expires: after its expiry the link answers the same 404 and the request stays pending', async () => {
      const { approvalId, token } = await awaitingConsent();
      const [{ expires }] = await t.ds.query(
        `SELECT token_expires_at AS expires FROM approvals WHERE id = $1`,
        [approvalId],
      );
      const days = (new Date(expires).getTime() - t.clock.now().getTime()) / 86_400_000;
      expect(days).toBeGreaterThanOrEqual(Number(t.env.CONSENT_LINK_DAYS ?? 30));
      expect((await view(token)).status).toBe(200);
      const ms = new Date(expires).getTime() - t.clock.now().getTime() + 60_000;
      t.clock.advance(ms);
      try {
        expect(sameness(await view(token))).toEqual(notFound);
        expect(sameness(await decide(token))).toEqual(notFound);
        expect((await approval(approvalId)).status).toBe('pending');
      } finally {
        t.clock.advance(-ms);
      }
    });
  });

  describe('sign-in', () => {
    const attempt = (email: string, password: string) =>
      send(t, { method: 'post', url: '/api/v1/auth/login', body: { email, password } });

    it('answers an unknown email, a wrong password and a deactivated account alike', async () => {
      const email = `inactive-${randomBytes(3).toString('hex')}@test.local`;
      const res = await t.http
        .post('/api/v1/users')
        .set(bearer(w.a.manager.token))
        .send({ email, name: 'Inactive', role: 'idva', password: PASSWORD });
      await t.ds.query(`UPDATE users SET active = false WHERE id = $1`, [res.body.id]);
      const unknown = await attempt(
        `nobody-${randomBytes(3).toString('hex')}@test.local`,
        PASSWORD,
      );
      const wrong = await attempt(ADMIN.email, 'wrong-password-123');
      const inactive = await attempt(email, PASSWORD);
      expect(unknown.status).toBe(401);
      expect(sameness(wrong)).toEqual(sameness(unknown));
      expect(sameness(inactive)).toEqual(sameness(unknown));
      expect(unknown.text).not.toMatch(/exist|unknown|not found|inactive|disabled/i);
    });

    it('locks out unknown and known emails after the same number of failures, with the same answer', async () => {
      const known = `known-${randomBytes(3).toString('hex')}@test.local`;
      await t.http
        .post('/api/v1/users')
        .set(bearer(w.a.manager.token))
        .send({ email: known, name: 'Known', role: 'idva', password: PASSWORD })
        .expect(201);
      const unknown = `ghost-${randomBytes(3).toString('hex')}@test.local`;
      const answers = async (email: string) => {
        const out: number[] = [];
        for (let i = 0; i < 4; i++) out.push((await attempt(email, 'not-the-password-1')).status);
        return out;
      };
      const a = await answers(known);
      const b = await answers(unknown);
      expect(a).toEqual([401, 401, 401, 429]);
      expect(b).toEqual(a);
      const lockedKnown = await attempt(known, PASSWORD);
      const lockedUnknown = await attempt(unknown, PASSWORD);
      expect(lockedKnown.status).toBe(429);
      expect(lockedUnknown.body.type).toBe(lockedKnown.body.type);
    });
  });
});
