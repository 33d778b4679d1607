// Seeded random requests generated from an operation's OpenAPI description with fast-check: whole
// bodies drawn from the request schema, the valid sample with one to three fields replaced by
// values of the schema or of any other shape, any JSON at all, and random query parameters, path
// ids and headers. Nothing here knows the right answer in advance — the oracle is the same for
// every generated request: never a 5xx, every error a problem document, no internals, no echo.
// The same seed gives the same requests (FUZZ_SEED replays a run).
import fc from 'fast-check';
import { fieldsOf, INJECTIONS, UNICODE, urlOf, type Target, type Variant } from './hostile.js';
import type { Req } from './world.js';

type Json = Record<string, any>;

const DAY = 86_400_000;
const MIN_DATE = new Date('1990-01-01T00:00:00Z');
const MAX_DATE = new Date('2100-01-01T00:00:00Z');

/** Any text: every code point (NUL and controls included) but never half a surrogate pair. */
const anyText = (maxLength = 60) => fc.string({ unit: 'binary', maxLength });
/** What an HTTP header can carry: printable ASCII. */
const headerText = (maxLength = 60) => fc.string({ unit: 'grapheme-ascii', maxLength });

const instant = fc
  .date({ min: MIN_DATE, max: MAX_DATE, noInvalidDate: true })
  .map((d) => d.toISOString());
const day = instant.map((s) => s.slice(0, 10));
const soon = fc
  .integer({ min: -30, max: 400 })
  .map((n) => new Date(Date.now() + n * DAY).toISOString());

/** A value the schema admits, as far as the document says (the service may still refuse it). */
export function valid(s: Json, name = ''): fc.Arbitrary<unknown> {
  let arb: fc.Arbitrary<unknown>;
  if (Array.isArray(s.enum) && s.enum.length) arb = fc.constantFrom(...s.enum);
  else if (Array.isArray(s.allOf) && s.allOf.length === 1) arb = valid(s.allOf[0], name);
  else if (s.type === 'string' || (!s.type && s.format)) {
    if (s.format === 'uuid') arb = fc.uuid({ version: 4 });
    else if (s.format === 'date-time') arb = fc.oneof(instant, soon);
    else if (s.format === 'date') arb = day;
    else if (s.format === 'email' || /email/i.test(name)) arb = fc.emailAddress();
    else
      arb = fc.string({
        unit: 'grapheme',
        minLength: s.minLength ?? 0,
        maxLength: Math.min(s.maxLength ?? 80, 400),
      });
  } else if (s.type === 'integer' || s.type === 'number') {
    const min = s.minimum ?? -5;
    const max = s.maximum ?? 10_000;
    const ints = fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
    arb =
      s.type === 'integer'
        ? ints
        : fc.oneof(ints, fc.double({ min, max, noNaN: true, noDefaultInfinity: true }));
  } else if (s.type === 'boolean') arb = fc.boolean();
  else if (s.type === 'array')
    arb = fc.array(valid(s.items ?? {}, name), {
      minLength: s.minItems ?? 0,
      maxLength: Math.min(s.maxItems ?? 4, 6),
    });
  else if (s.properties) {
    const props = s.properties as Record<string, Json>;
    arb = fc.record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, valid(v, k)])), {
      requiredKeys: ((s.required ?? []) as string[]).filter((k) => k in props),
    });
  } else arb = fc.jsonValue({ maxDepth: 2 });
  return s.nullable ? fc.option(arb, { nil: null, freq: 6 }) : arb;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** A value the schema does not admit: another type, out of range, malformed or hostile text. */
export function invalid(s: Json): fc.Arbitrary<unknown> {
  const declared = s.type === 'number' ? ['number', 'integer'] : [s.type ?? 'object'];
  const options: fc.Arbitrary<unknown>[] = [
    fc.jsonValue({ maxDepth: 3 }).filter((v) => !declared.includes(typeOf(v))),
    fc.constantFrom<unknown>(...INJECTIONS, ...UNICODE),
    anyText(300),
  ];
  if (s.type === 'integer' || s.type === 'number')
    options.push(
      fc.integer({ min: Number.MIN_SAFE_INTEGER, max: (s.minimum ?? 0) - 1 }),
      fc.integer({ min: (s.maximum ?? 2 ** 31) + 1, max: Number.MAX_SAFE_INTEGER }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
    );
  if (s.type === 'array')
    options.push(fc.array(fc.jsonValue({ maxDepth: 1 }), { minLength: 1, maxLength: 8 }));
  if (s.format === 'date' || s.format === 'date-time')
    options.push(
      fc
        .tuple(
          fc.integer({ min: 0, max: 99999 }),
          fc.integer({ min: 0, max: 99 }),
          fc.integer({ min: 0, max: 99 }),
        )
        .map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
    );
  return fc.oneof(...options);
}

/** Any value at all for a field: of its schema, against it, missing (undefined) or null. */
const fieldValue = (s: Json, name: string): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 3, arbitrary: valid(s, name) },
    { weight: 4, arbitrary: invalid(s) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant(null) },
  );

function setAt(base: unknown, path: (string | number)[], value: unknown): unknown {
  const root = structuredClone(base ?? {}) as Json;
  let node: Json = root;
  for (const [i, key] of path.entries()) {
    if (i === path.length - 1) {
      if (value === undefined) delete node[key];
      else node[key] = value;
    } else {
      if (node[key] === null || typeof node[key] !== 'object')
        node[key] = typeof path[i + 1] === 'number' ? [] : {};
      node = node[key];
    }
  }
  return root;
}

interface Drawn {
  label: string;
  req: Req;
}

/** The request arbitrary of one operation, built around the target's valid request. */
export function requestArbitrary(t: Target): fc.Arbitrary<Drawn> {
  const { op } = t;
  const base = t.body ?? {};

  // ---- body ---------------------------------------------------------------------------------
  let body: fc.Arbitrary<{ label: string; body?: unknown }> = fc.constant({ label: 'no body' });
  if (op.body) {
    const fields = fieldsOf(op.body, base);
    const shapes: { weight: number; arbitrary: fc.Arbitrary<{ label: string; body?: unknown }> }[] =
      [
        {
          weight: 3,
          arbitrary: valid(op.body).map((b) => ({ label: 'body from the schema', body: b })),
        },
        {
          weight: 1,
          arbitrary: fc.jsonValue({ maxDepth: 4 }).map((b) => ({ label: 'any JSON', body: b })),
        },
        {
          weight: 1,
          arbitrary: fc
            .dictionary(
              fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
              fc.jsonValue({ maxDepth: 2 }),
              { minKeys: 1, maxKeys: 3 },
            )
            .map((extra) => ({
              label: 'valid body with unknown fields',
              body: { ...(base as Json), ...extra },
            })),
        },
      ];
    if (fields.length)
      shapes.push({
        weight: 5,
        arbitrary: fc
          .array(
            fc
              .constantFrom(...fields)
              .chain((f) =>
                fieldValue(f.schema, String(f.path[f.path.length - 1])).map(
                  (v) => [f.path, v] as const,
                ),
              ),
            { minLength: 1, maxLength: 3 },
          )
          .map((changes) => ({
            label: `valid body with ${changes.map(([p]) => p.join('.')).join(', ')} changed`,
            body: changes.reduce((b, [p, v]) => setAt(b, p, v), base as unknown),
          })),
      });
    body = fc.oneof(...shapes);
  }

  // ---- query --------------------------------------------------------------------------------
  const declared = op.params.filter((p) => p.in === 'query');
  const queryValue = (p: (typeof declared)[number]): fc.Arbitrary<string> => {
    const s = p.schema;
    const typed =
      /^(from|to)$/.test(p.name) && !s.format
        ? day
        : valid(s, p.name).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    return fc.oneof({ weight: 3, arbitrary: typed }, { weight: 2, arbitrary: anyText(40) });
  };
  const query = fc
    .tuple(
      fc.record(
        Object.fromEntries(
          declared.map((p) => [p.name, fc.option(queryValue(p), { nil: undefined, freq: 3 })]),
        ),
      ),
      fc.option(fc.tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), anyText()), {
        nil: undefined,
        freq: 6,
      }),
    )
    .map(([values, extra]) => {
      const q: Record<string, string> = { ...t.query };
      for (const [k, v] of Object.entries(values)) if (v !== undefined) q[k] = v;
      if (extra) q[extra[0]] = extra[1];
      return q;
    });

  // ---- path id ------------------------------------------------------------------------------
  const pathName = Object.keys(t.path)[0];
  const pathValue: fc.Arbitrary<Record<string, string>> = pathName
    ? fc
        .oneof(
          { weight: 6, arbitrary: fc.constant(t.path[pathName]) },
          { weight: 1, arbitrary: fc.uuid() },
          { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }) },
          ...(t.foreignId ? [{ weight: 1, arbitrary: fc.constant(t.foreignId) }] : []),
        )
        .map((v) => ({ [pathName]: v }))
    : fc.constant({});

  // ---- headers and caller -------------------------------------------------------------------
  const names = new Set(
    op.params.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase()),
  );
  const header = (name: string, arb: fc.Arbitrary<string>) =>
    names.has(name)
      ? fc
          .option(arb, { nil: undefined, freq: 2 })
          .map((v) => (v === undefined ? {} : { [name]: v }))
      : fc.constant({});
  const headers = fc
    .tuple(
      header(
        'if-match',
        fc.oneof(
          fc.nat({ max: 20 }).map((n) => `"${n}"`),
          headerText(),
        ),
      ),
      header('idempotency-key', fc.oneof(fc.uuid(), headerText(250))),
      header('x-access-reason', headerText(300)),
    )
    .map((hs) => Object.assign({}, ...hs) as Record<string, string>);
  const token = fc.oneof(
    { weight: 12, arbitrary: fc.constant(t.token) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: headerText(200).map((s) => (t.token ?? '') + s) },
  );

  return fc
    .record({ body, query, path: pathValue, headers, token })
    .map(({ body: b, query: q, path, headers: h, token: tk }) => ({
      label: b.label,
      req: {
        method: op.method,
        url: urlOf(t, path, q),
        token: tk,
        headers: h,
        // Sent as JSON text whatever its shape (a client library would turn a bare string into a
        // form post).
        ...(op.body
          ? {
              raw: b.body === undefined ? '' : JSON.stringify(b.body),
              contentType: 'application/json',
            }
          : {}),
      },
    }));
}

/** A stable 32-bit number for a string (so each operation has its own stream of the run's seed). */
function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h | 0;
}

/** `count` generated requests for the target, the same ones for the same seed. */
export function generated(t: Target, seed: number, count: number): Variant[] {
  return fc
    .sample(requestArbitrary(t), { seed: (seed ^ hash(t.op.key)) | 0, numRuns: count })
    .map((d) => ({ category: 'generated', label: d.label, req: d.req, expect: 'any' as const }));
}
