// The "physical limit" for the API benchmark: a minimal Fastify + pg server doing exactly the SQL
// work the product does for the same two requests, and nothing else (no Nest, no validation pipe,
// no helmet, no request logging). The SQL, the case columns (CASE_SELECT) and the crypto are the
// product's own, so the difference measured is the framework and the product's layers.
//
//   every request                  SELECT the caller's account (the product re-checks it per request:
//                                  a deactivated user is signed out on the next request)
//   GET  /api/v1/cases/:id         BEGIN; SELECT case; INSERT audit_log; COMMIT; decrypt personal
//   POST /api/v1/cases/:id/accept  BEGIN; SELECT case FOR UPDATE; UPDATE … WHERE version RETURNING;
//                                  INSERT case_events; INSERT audit_log; COMMIT; decrypt personal
//
// The product's accept writes no outbox row (accepting queues no work), so neither does this.
// Started by api.bench.ts: PORT, DATABASE_URL, JWT_SECRET, DATA_KEYS, HASH_KEY, DB_POOL_SIZE.
import { createSecretKey } from 'node:crypto';
import Fastify from 'fastify';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { CASE_SELECT, type CaseRow, type Personal } from '../../src/cases/case-row.js';
import { encContext, FieldCrypto } from '../../src/common/crypto/field-crypto.js';

const env = process.env;
const pool = new pg.Pool({
  connectionString: env.DATABASE_URL,
  max: Number(env.DB_POOL_SIZE ?? 10),
  application_name: 'raw-server',
});
pool.on('error', () => undefined);
const [kid, b64] = (env.DATA_KEYS ?? '').split(':');
const crypto = new FieldCrypto(
  [{ id: kid, key: Buffer.from(b64, 'base64') }],
  Buffer.from(env.HASH_KEY ?? '', 'utf8'),
);
const secret = createSecretKey(Buffer.from(env.JWT_SECRET ?? '', 'utf8'));

interface Claims {
  id: string;
  role: string;
  schemeId: string;
  contractorId: string | null;
}

/** The product's AuthGuard check: the account still exists, is active, and still matches the token. */
async function stillHolds(c: Claims): Promise<boolean> {
  const { rows } = await pool.query(
    `SELECT role, scheme_id, contractor_id FROM users WHERE id = $1 AND active`,
    [c.id],
  );
  const u = rows[0];
  return (
    !!u && u.role === c.role && u.scheme_id === c.schemeId && u.contractor_id === c.contractorId
  );
}

/** The same verification as the product's TokenService (HS256 with a KeyObject, issuer, audience). */
function principal(header: string | undefined): Claims | null {
  const m = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header ?? '');
  if (!m) return null;
  try {
    const c = jwt.verify(m[1], secret, {
      algorithms: ['HS256'],
      issuer: 'sanctuary',
      audience: 'sanctuary-api',
    }) as jwt.JwtPayload;
    return typeof c.sub === 'string'
      ? { id: c.sub, role: c.role, schemeId: c.sch, contractorId: c.con ?? null }
      : null;
  } catch {
    return null;
  }
}

function view(row: CaseRow) {
  const p = crypto.decryptJson<Personal>(row.personalEnc, encContext('cases', row.id, 'personal'));
  const { personalEnc: _omit, ...rest } = row;
  return { ...rest, serviceUser: p.serviceUser, address: p.address, childrenAges: p.childrenAges };
}

async function inTx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('START TRANSACTION');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

const AUDIT_SQL = `INSERT INTO audit_log (scheme_id, actor_id, action, entity, entity_id, data, at)
       VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, now()))`;

const app = Fastify({ logger: false });

app.get('/health', async () => ({ ok: true }));

app.get<{ Params: { id: string } }>('/api/v1/cases/:id', async (req, reply) => {
  const me = principal(req.headers.authorization);
  if (!me || !(await stillHolds(me))) return reply.code(401).send({ status: 401 });
  const row = await inTx(async (c) => {
    const { rows } = await c.query<CaseRow>(
      `SELECT ${CASE_SELECT} FROM cases c WHERE c.id = $1 AND c.scheme_id = $2 `,
      [req.params.id, me.schemeId],
    );
    if (!rows.length) return null;
    await c.query(AUDIT_SQL, [rows[0].schemeId, me.id, 'case.read', 'case', rows[0].id, {}, null]);
    return rows[0];
  });
  if (!row) return reply.code(404).send({ status: 404 });
  return view(row);
});

app.post<{ Params: { id: string } }>('/api/v1/cases/:id/accept', async (req, reply) => {
  const me = principal(req.headers.authorization);
  if (!me || !(await stillHolds(me))) return reply.code(401).send({ status: 401 });
  const result = await inTx(async (c) => {
    const { rows } = await c.query<CaseRow>(
      `SELECT ${CASE_SELECT} FROM cases c WHERE c.id = $1 AND c.scheme_id = $2 FOR UPDATE`,
      [req.params.id, me.schemeId],
    );
    const row = rows[0];
    if (!row) return 404;
    if (row.status !== 'referred') return 409;
    const at = new Date();
    const updated = await c.query<CaseRow>(
      `UPDATE cases c SET status = $3, version = version + 1, status_changed_at = $4, last_event_at = GREATEST(last_event_at, $4), updated_at = now() WHERE c.id = $1 AND c.version = $2 RETURNING ${CASE_SELECT}`,
      [row.id, row.version, 'accepted', at],
    );
    if (!updated.rows.length) return 409;
    const recordedAt = new Date();
    await c.query(
      `INSERT INTO case_events (case_id, scheme_id, type, from_status, to_status, occurred_at, recorded_at, actor_id, data, note_enc)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [row.id, row.schemeId, 'accepted', 'referred', 'accepted', at, recordedAt, me.id, {}, null],
    );
    await c.query(AUDIT_SQL, [
      row.schemeId,
      me.id,
      'case.accepted',
      'case',
      row.id,
      { fromStatus: 'referred', toStatus: 'accepted', by: me.role },
      recordedAt,
    ]);
    return updated.rows[0];
  });
  if (typeof result === 'number') return reply.code(result).send({ status: result });
  return reply.code(200).send(view(result));
});

const stop = () => {
  void app
    .close()
    .then(() => pool.end())
    .finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

await app.listen({ port: Number(env.PORT ?? 3999), host: '127.0.0.1' });
console.log(`raw server listening on ${env.PORT}`);
