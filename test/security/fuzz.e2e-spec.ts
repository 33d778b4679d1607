// Spec-driven fuzzing: every operation of the served OpenAPI document gets hostile input from a
// caller it is meant for. Never a 5xx; every 4xx is a problem document; a rejected request changes
// nothing; and afterwards no personal data is found outside the encrypted columns.
// Two kinds of input: hand-written hostile variants of a valid request (support/hostile.ts), then
// seeded random requests generated from each operation's schema with fast-check
// (support/generated.ts). CI runs a bounded, seeded sample of both per operation; FUZZ_LEVEL=full
// runs every variant and 120 generated requests per operation (≥ 10,000 requests in all), and
// FUZZ_SEED=<n> replays a run.
import { startApp, type TestApp } from '../support/app.js';
import { contractOf, queryFor, recordId } from './support/contract.js';
import { generated } from './support/generated.js';
import { variants, type Target, type Variant } from './support/hostile.js';
import { huntLeaks, printLeakReport } from './support/leaks.js';
import { fetchDoc, operations, type Operation } from './support/openapi.js';
import { fuzzBudget, fuzzSeed, generatedBudget, rng, type Rng } from './support/prng.js';
import {
  buildWorld,
  canariesIn,
  countRows,
  fingerprint,
  internalDetail,
  problemDefects,
  send,
  type Exchange,
  type Role,
  type World,
} from './support/world.js';

const FULL = process.env.FUZZ_LEVEL === 'full';

function tokenOf(w: World, role: Role): string {
  switch (role) {
    case 'admin':
      return w.t.adminToken;
    case 'scheme_manager':
      return w.a.manager.token;
    case 'idva':
      return w.a.idva.token;
    case 'installer':
      return w.a.installer.token;
  }
}

function targetFor(op: Operation, w: World): Target {
  const c = contractOf(op.key);
  if (!c) throw new Error(`no contract for ${op.key}`);
  const role: Role | undefined =
    c.fuzzAs ??
    (Array.isArray(c.roles) ? c.roles[0] : c.roles === 'any' ? 'scheme_manager' : undefined);
  const pathParam = op.params.find((p) => p.in === 'path')?.name;
  const declaredQuery = op.params.filter((p) => p.in === 'query').map((p) => p.name);
  return {
    op,
    token: role ? tokenOf(w, role) : undefined,
    path: pathParam ? { [pathParam]: recordId(w.ra, c.record)! } : {},
    query: queryFor(c, declaredQuery),
    body: (c.fuzzBody ?? c.body)?.(w),
    // Scheme B's consent link is valid for anyone: forging means a token that does not exist.
    foreignId: c.record && c.record !== 'consent' ? recordId(w.rb, c.record) : undefined,
    foreignRefs: {
      landlordId: w.b.landlordId,
      contractorId: w.b.contractorId,
      assignedTo: w.b.idva.id,
      restrictedTo: w.b.idva.id,
      schemeId: w.b.id,
    },
    pathKind: !pathParam ? 'none' : c.record === 'consent' ? 'token' : 'uuid',
  };
}

/** One input of each category (in a seeded order), then a seeded sample, up to the budget. */
function choose(all: Variant[], r: Rng, budget: number): Variant[] {
  if (!Number.isFinite(budget)) return all;
  const byCategory = new Map<string, Variant[]>();
  for (const v of all) byCategory.set(v.category, [...(byCategory.get(v.category) ?? []), v]);
  const chosen = r.shuffle([...byCategory.values()]).map((vs) => r.pick(vs));
  const rest = r.shuffle(all.filter((v) => !chosen.includes(v)));
  return [...chosen, ...rest].slice(0, budget);
}

function defects(v: Variant, x: Exchange): string[] {
  const out: string[] = [];
  const where = `${v.req.method.toUpperCase()} ${v.req.url.slice(0, 90)} [${v.category}: ${v.label}]`;
  if (x.status >= 500) out.push(`${where} → ${x.status} ${x.text.slice(0, 160)}`);
  else if (v.expect !== 'any' && !v.expect.includes(x.status))
    out.push(`${where} → ${x.status}, expected ${v.expect.join('/')}: ${x.text.slice(0, 160)}`);
  for (const d of problemDefects(x)) out.push(`${where} → ${x.status}: ${d}`);
  if (x.status >= 400 && canariesIn(x.text).length)
    out.push(`${where} → ${x.status} echoes personal data: ${canariesIn(x.text).join(', ')}`);
  return out;
}

describe('spec-driven fuzzing', () => {
  let t: TestApp;
  let w: World;
  let ops: Operation[];
  const exchanges: Exchange[] = [];
  const failures: string[] = [];
  const r = rng(fuzzSeed());
  const budget = fuzzBudget();
  let variantRequests = 0;

  beforeAll(async () => {
    t = await startApp({}, { logs: true });
    w = await buildWorld(t);
    ops = operations(await fetchDoc(t));
  }, 120_000);
  afterAll(async () => t?.close());

  it('has a contract for every documented operation', () => {
    expect(ops.filter((o) => !contractOf(o.key)).map((o) => o.key)).toEqual([]);
  });

  it(
    'answers hostile input to every operation with a 4xx problem, never a 5xx, and changes nothing when it refuses',
    async () => {
      const changed: string[] = [];
      let casesCreated = 0;
      // POST /cases first, while the world is intact; then the rest in document order.
      const ordered = [
        ...ops.filter((o) => o.key === 'POST /api/v1/cases'),
        ...ops.filter((o) => o.key !== 'POST /api/v1/cases'),
      ];
      for (const op of ordered) {
        const chosen = choose(variants(targetFor(op, w)), r, budget);
        const refusals = chosen.filter((v) => v.expect !== 'any');
        const legitimate = chosen.filter((v) => v.expect === 'any');
        const before = await fingerprint(t);
        const casesBefore = await countRows(t, 'cases');
        for (const v of refusals) {
          const x = await send(t, v.req);
          exchanges.push(x);
          failures.push(...defects(v, x));
        }
        const after = await fingerprint(t);
        for (const k of Object.keys(before))
          if (before[k] !== after[k]) changed.push(`${op.key}: refused input changed ${k}`);
        for (const v of legitimate) {
          const x = await send(t, v.req);
          exchanges.push(x);
          failures.push(...defects(v, x));
          if (op.key === 'POST /api/v1/cases' && x.status === 201) casesCreated++;
        }
        if (op.key === 'POST /api/v1/cases') {
          // Only well-formed referrals (free text that merely looks hostile) may have made a case.
          expect(await countRows(t, 'cases')).toBe(casesBefore + casesCreated);
        }
      }
      variantRequests = exchanges.length;
      console.log(
        `fuzz (hostile variants): seed ${r.seed}, level ${Number.isFinite(budget) ? `ci (${budget}/operation)` : 'full'}, ` +
          `${ops.length} operations, ${exchanges.length} requests, ${failures.length} failures`,
      );
      expect(failures).toEqual([]);
      expect(changed).toEqual([]);
    },
    FULL ? 30 * 60_000 : 90_000,
  );

  it(
    'answers seeded random requests generated from each operation’s schema without a 5xx, and changes nothing when it refuses them all',
    async () => {
      const perOp = generatedBudget();
      const failuresBefore = failures.length;
      const changed: string[] = [];
      for (const op of ops) {
        const target = targetFor(op, w);
        const before = await fingerprint(t);
        let accepted = 0;
        for (const v of generated(target, r.seed, perOp)) {
          const x = await send(t, v.req);
          exchanges.push(x);
          failures.push(...defects(v, x));
          if (x.status < 400) accepted++;
        }
        // Only what was taken may have changed anything.
        if (accepted === 0) {
          const after = await fingerprint(t);
          for (const k of Object.keys(before))
            if (before[k] !== after[k]) changed.push(`${op.key}: refused input changed ${k}`);
        }
      }
      const all = exchanges;
      const count = (f: (x: Exchange) => boolean) => all.filter(f).length;
      const errors = all.filter((x) => x.status >= 400);
      const problems = errors.filter((x) => problemDefects(x).length === 0).length;
      const lines = [
        `seed ${r.seed}, level ${FULL ? 'full' : 'ci'}, ${ops.length} operations`,
        `requests sent: ${all.length} (${variantRequests} hostile variants, ${all.length - variantRequests} generated from the schema: ${perOp}/operation)`,
        `2xx/3xx answers: ${count((x) => x.status < 400)}`,
        `4xx answers: ${count((x) => x.status >= 400 && x.status < 500)}`,
        `5xx answers: ${count((x) => x.status >= 500)}`,
        `problem+json share of error answers: ${errors.length ? ((100 * problems) / errors.length).toFixed(1) : '100.0'} % (${problems}/${errors.length})`,
        `error answers with a stack trace, SQL or a path: ${errors.filter((x) => internalDetail(x.text)).length}`,
        `failures (generated): ${failures.length - failuresBefore}`,
      ];
      console.log(lines.map((l) => `fuzz: ${l}`).join('\n'));
      expect(failures.slice(failuresBefore)).toEqual([]);
      expect(changed).toEqual([]);
      if (FULL) expect(all.length).toBeGreaterThanOrEqual(10_000);
    },
    FULL ? 30 * 60_000 : 90_000,
  );

  it('leaves Object.prototype unpolluted', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
  });

  it('leaves no personal data in plain columns, a pg_dump, Redis, the logs or any error answer', async () => {
    const report = await huntLeaks(t, exchanges);
    printLeakReport('after fuzzing', report);
    expect(report.findings).toEqual([]);
    // The searches saw something: a dump with the data, a log that was written.
    expect(report.dumpBytes).toBeGreaterThan(10_000);
    expect(report.logLines).toBeGreaterThan(0);
  });
});
