// Hostile inputs derived from an operation's OpenAPI description: for each path id, body field,
// header and query parameter it declares, the values an attacker (or a broken client) would send.
// Each variant says what the API must answer: an exact status when the input is plainly invalid,
// or `any` (never a 5xx) when the input is legitimate data that merely looks hostile.
import { randomUUID } from 'node:crypto';
import { CANARY } from '../../support/cases.js';
import type { Operation } from './openapi.js';
import type { Req } from './world.js';

export type Expect = number[] | 'any';

export interface Variant {
  category: string;
  label: string;
  req: Req;
  expect: Expect;
}

/** What the fuzzer knows about the target: a valid request and ids to forge with. */
export interface Target {
  op: Operation;
  token?: string;
  path: Record<string, string>;
  query: Record<string, string>;
  body?: unknown;
  /** the same kind of record in another scheme (for forged path ids) */
  foreignId?: string;
  /** ids of another scheme, by the body field that references them */
  foreignRefs: Record<string, string>;
  /** what the path parameter is: consent tokens are not UUIDs and answer 404 to anything bad */
  pathKind: 'uuid' | 'token' | 'none';
}

const KB100 = 'A'.repeat(100 * 1024);

export const INJECTIONS = [
  "' OR '1'='1",
  "'); DROP TABLE cases;--",
  '1; SELECT pg_sleep(10)--',
  '" OR ""="',
  "{{constructor.constructor('return process')()}}",
  '${process.exit(1)}',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '{"$gt": ""}',
  '../../../../etc/passwd',
  '%s%s%s%n',
  'javascript:alert(1)',
];

export const UNICODE = [
  'nul\u0000byte',
  '\u0000',
  'rtl\u202Eoverride',
  'zero\u200Bwidth',
  '\uD800 lone surrogate',
  '💣🔥 emoji',
  'Ｆｕｌｌｗｉｄｔｈ',
  'combining e\u0301\u0301\u0301',
  'line\r\nbreak',
  '\uFEFFbom',
];

const WRONG_TYPES: Record<string, unknown[]> = {
  string: [12345, true, { a: 1 }, ['x'], []],
  number: ['1', true, { a: 1 }, [1], '1e3'],
  integer: ['1', true, { a: 1 }, [1], 1.5],
  boolean: ['true', 1, 0, 'yes', { a: true }],
  array: [{ 0: 'x' }, 'x', 1, true],
  // [] too: an empty array passed @ValidateNested() and reached the service as an object (a 500).
  object: [['x'], [], 'x', 1, true],
};

const BAD_NUMBERS = [-1, 1e308, 2 ** 53 + 1, 1.555, -1e-9, 1e21];
const BAD_INSTANTS = [
  '2026-02-30T10:00:00Z',
  '2026-11-10T10:00:00',
  '2026-11-10 10:00:00Z',
  '2026-11-10T25:00:00Z',
  '2026-13-01T10:00:00Z',
  '1970-01-01T00:00:00Z',
  '2026-11-10',
  '+275760-09-13T00:00:00.000Z',
  'yesterday',
  '',
];
const BAD_DATES = [
  '2026-02-30',
  '2026-13-01',
  '2026-00-10',
  '0000-00-00',
  '1899-12-31',
  '2026-11-10T00:00:00Z',
  '10/11/2026',
  '',
];
const BAD_UUIDS = ['not-a-uuid', "' OR 1=1--", '00000000-0000-0000-0000-00000000000g', ''];

const MALFORMED_IDS: { value: string; raw: boolean }[] = [
  { value: 'abc', raw: false },
  { value: '1', raw: false },
  { value: '-1', raw: false },
  { value: "1' OR '1'='1", raw: false },
  { value: '%00', raw: true },
  { value: '..%2F..%2Fetc%2Fpasswd', raw: true },
  { value: '00000000-0000-0000-0000-000000000000', raw: false },
  { value: 'a'.repeat(3000), raw: false },
  { value: '%F0%9F%92%A3', raw: true },
  { value: '__proto__', raw: false },
  { value: 'constructor', raw: false },
  { value: `${randomUUID()}'--`, raw: false },
  { value: `${randomUUID()}%00`, raw: true },
];

type Json = Record<string, any>;

interface Field {
  path: (string | number)[];
  schema: Json;
  required: boolean;
}

/** Every field a body schema declares, nested objects and the first item of arrays included. */
export function fieldsOf(
  schema: Json | undefined,
  base: unknown,
  prefix: (string | number)[] = [],
): Field[] {
  if (!schema?.properties) return [];
  const required = new Set<string>(schema.required ?? []);
  const out: Field[] = [];
  for (const [name, s] of Object.entries(schema.properties as Record<string, Json>)) {
    const path = [...prefix, name];
    out.push({ path, schema: s, required: required.has(name) });
    const value = (base as Json | undefined)?.[name];
    if (s.type === 'object' || s.properties) out.push(...fieldsOf(s, value, path));
    if (s.type === 'array' && s.items?.properties && Array.isArray(value) && value.length)
      out.push(...fieldsOf(s.items, value[0], [...path, 0]));
  }
  return out;
}

function setAt(base: unknown, path: (string | number)[], value: unknown): unknown {
  const root = structuredClone(base ?? {}) as Json;
  let node: Json = root;
  for (const [i, key] of path.entries()) {
    if (i === path.length - 1) {
      node[key] = value;
    } else {
      if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object')
        node[key] = typeof path[i + 1] === 'number' ? [] : {};
      node = node[key];
    }
  }
  return root;
}

type Kind =
  | 'enum'
  | 'uuid'
  | 'email'
  | 'instant'
  | 'date'
  | 'text'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'array'
  | 'object';

function kindOf(s: Json): Kind {
  if (Array.isArray(s.enum)) return 'enum';
  if (s.type === 'string') {
    if (s.format === 'uuid') return 'uuid';
    if (s.format === 'email') return 'email';
    if (s.format === 'date-time') return 'instant';
    if (s.format === 'date') return 'date';
    return 'text';
  }
  if (s.type === 'number' || s.type === 'integer' || s.type === 'boolean' || s.type === 'array')
    return s.type;
  return 'object';
}

const label = (path: (string | number)[]) =>
  path
    .map((p) => (typeof p === 'number' ? `[${p}]` : p))
    .join('.')
    .replace(/\.\[/g, '[');

export function variants(t: Target): Variant[] {
  const { op } = t;
  const out: Variant[] = [];
  const hasBody = !!op.body;
  const baseReq = (over: Partial<Req> = {}): Req => ({
    method: op.method,
    url: urlOf(t, t.path, t.query),
    token: t.token,
    ...(hasBody ? { body: t.body ?? {} } : {}),
    ...over,
  });
  const add = (category: string, lbl: string, req: Req, expect: Expect) =>
    out.push({ category, label: lbl, req, expect });

  // ---- path ids -------------------------------------------------------------------------------
  if (t.pathKind !== 'none') {
    const name = Object.keys(t.path)[0];
    const bad = t.pathKind === 'token' ? [404] : [400];
    for (const m of MALFORMED_IDS)
      add(
        'path: malformed id',
        `${name}=${m.value.slice(0, 40)}`,
        baseReq({ url: urlOf(t, { [name]: m.value }, t.query, m.raw) }),
        // Over the router's limit for a path segment, 414 says what is wrong just as well.
        m.value.length > 100 ? [...bad, 414] : bad,
      );
    add(
      'path: bad percent-encoding',
      `${name}=%E0%A4%A`,
      baseReq({ url: urlOf(t, { [name]: '%E0%A4%A' }, t.query, true) }),
      [400, 404],
    );
    if (t.foreignId)
      add(
        'path: another scheme’s record',
        `${name}=<other scheme>`,
        baseReq({ url: urlOf(t, { [name]: t.foreignId }, t.query) }),
        [404],
      );
    const unknown =
      t.pathKind === 'token' ? Buffer.from(randomUUID()).toString('base64url') : randomUUID();
    add(
      'path: unknown id',
      `${name}=<random>`,
      baseReq({ url: urlOf(t, { [name]: unknown }, t.query) }),
      [404],
    );
    if (t.pathKind === 'token') {
      const real = t.path[name];
      add(
        'path: truncated token',
        'token minus one char',
        baseReq({ url: urlOf(t, { [name]: real.slice(0, -1) }, t.query) }),
        [404],
      );
      const flipped = real.slice(0, -1) + (real.endsWith('A') ? 'B' : 'A');
      add(
        'path: altered token',
        'last char changed',
        baseReq({ url: urlOf(t, { [name]: flipped }, t.query) }),
        [404],
      );
    }
  }

  // ---- body fields ----------------------------------------------------------------------------
  if (hasBody) {
    const base = t.body ?? {};
    for (const f of fieldsOf(op.body, base)) {
      const kind = kindOf(f.schema);
      const at = label(f.path);
      const mutate = (
        category: string,
        value: unknown,
        expect: Expect,
        what = String(JSON.stringify(value)).slice(0, 40),
      ) => add(category, `${at}=${what}`, baseReq({ body: setAt(base, f.path, value) }), expect);
      const typeKey =
        kind === 'enum' ||
        kind === 'uuid' ||
        kind === 'email' ||
        kind === 'instant' ||
        kind === 'date' ||
        kind === 'text'
          ? 'string'
          : kind;
      for (const v of WRONG_TYPES[typeKey] ?? []) mutate('body: wrong type', v, [400]);
      mutate('body: null', null, f.required ? [400] : 'any');
      mutate('body: huge string', KB100, [400], '<100 kB>');
      mutate('body: deeply nested', nested(200), [400], '<200 levels>');
      if (kind === 'text') {
        for (const s of INJECTIONS) mutate('body: injection (free text)', s, 'any');
        for (const s of UNICODE) mutate('body: unicode (free text)', s, 'any');
      } else if (
        kind !== 'number' &&
        kind !== 'integer' &&
        kind !== 'boolean' &&
        kind !== 'array' &&
        kind !== 'object'
      ) {
        for (const s of INJECTIONS.slice(0, 4)) mutate('body: injection (typed)', s, [400]);
        for (const s of UNICODE.slice(0, 3)) mutate('body: unicode (typed)', s, [400]);
      }
      if (kind === 'number' || kind === 'integer')
        for (const n of BAD_NUMBERS)
          mutate('body: bad number', n, n === 1.555 && kind === 'number' ? 'any' : [400]);
      if (kind === 'instant') for (const d of BAD_INSTANTS) mutate('body: invalid date', d, [400]);
      if (kind === 'instant') mutate('body: far future', '9999-12-31T23:59:59Z', 'any');
      if (kind === 'date') for (const d of BAD_DATES) mutate('body: invalid date', d, [400]);
      if (kind === 'uuid') {
        for (const u of BAD_UUIDS) mutate('body: malformed uuid', u, [400]);
        const foreign = t.foreignRefs[String(f.path[f.path.length - 1])];
        if (foreign) mutate('body: another scheme’s id', foreign, [404, 422], '<other scheme>');
        else mutate('body: unknown id', randomUUID(), 'any', '<random uuid>');
      }
      if (kind === 'array' && f.schema.items) {
        mutate(
          'body: huge array',
          Array.from({ length: 10000 }, () => structuredClone(firstItem(base, f.path) ?? 'x')),
          [400, 413],
          '<10 000 items>',
        );
        const foreign = t.foreignRefs[String(f.path[f.path.length - 1])];
        if (foreign && f.schema.items.format === 'uuid')
          mutate('body: another scheme’s id', [foreign], [404, 422], '[<other scheme>]');
      }
    }
    // Whole-body shapes.
    add(
      'body: unknown field',
      'isAdmin=true',
      baseReq({ body: { ...(base as Json), isAdmin: true } }),
      [400],
    );
    add(
      'body: unknown field',
      'personal data as a field name',
      baseReq({ body: { ...(base as Json), [CANARY.name]: CANARY.codeWord } }),
      [400],
    );
    add(
      'body: unknown field',
      'schemeId=<other>',
      baseReq({ body: { ...(base as Json), schemeIdX: randomUUID() } }),
      [400],
    );
    add('body: array for object', '[body]', baseReq({ body: [base] }), [400]);
    add('body: scalar', '"x"', baseReq({ body: undefined, raw: '"x"' }), [400]);
    add('body: null', 'null', baseReq({ body: undefined, raw: 'null' }), [400]);
    add(
      'body: deeply nested',
      '<5000 levels>',
      baseReq({ body: undefined, raw: `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}` }),
      [400],
    );
    add(
      'body: deeply nested',
      '<10000 arrays>',
      baseReq({ body: undefined, raw: `${'['.repeat(10000)}${']'.repeat(10000)}` }),
      [400],
    );
    const json = JSON.stringify(base);
    const inner = json === '{}' ? '' : `,${json.slice(1, -1)}`;
    add(
      'body: prototype pollution',
      '__proto__',
      baseReq({ body: undefined, raw: `{"__proto__":{"polluted":"yes"}${inner}}` }),
      [400],
    );
    add(
      'body: prototype pollution',
      'constructor.prototype',
      baseReq({ body: undefined, raw: `{"constructor":{"prototype":{"polluted":"yes"}}${inner}}` }),
      [400],
    );
    const objField = fieldsOf(op.body, base).find((f) => f.schema.properties);
    if (objField) {
      const marker = '"__MARKER__"';
      const withMarker = JSON.stringify(setAt(base, objField.path, '__MARKER__'));
      add(
        'body: prototype pollution',
        `${label(objField.path)}.__proto__`,
        baseReq({
          body: undefined,
          raw: withMarker.replace(marker, '{"__proto__":{"polluted":"yes"}}'),
        }),
        [400],
      );
    }
  }

  // ---- raw bytes and content types (any operation that takes a body) ---------------------------
  if (hasBody) {
    for (const raw of [
      '{"a":',
      '{',
      '{"a":1,}',
      "{'a':1}",
      'nul',
      '\u0000',
      '{"a":"\\u0000"}',
      '{"a":"\\ud800"}',
      '',
    ])
      add(
        'raw: malformed JSON',
        JSON.stringify(raw).slice(0, 30),
        baseReq({ body: undefined, raw, contentType: 'application/json' }),
        [400],
      );
    const text = JSON.stringify(t.body ?? {});
    for (const ct of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/jsonx',
      'application/json-patch+json',
    ])
      add(
        'raw: wrong content type',
        ct,
        baseReq({ body: undefined, raw: text, contentType: ct }),
        [400, 415],
      );
    add(
      'raw: too large',
      '300 kB',
      baseReq({ body: undefined, raw: `{"a":"${'x'.repeat(300 * 1024)}"}` }),
      [413],
    );
  }

  if (!hasBody && op.method !== 'get') {
    add('body: not expected', '{"isAdmin":true}', baseReq({ raw: '{"isAdmin":true}' }), 'any');
    add('raw: malformed JSON', '{', baseReq({ raw: '{' }), [400]);
  }

  // ---- headers --------------------------------------------------------------------------------
  const headerNames = op.params.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase());
  add(
    'header: too large',
    '20 kB header',
    baseReq({ headers: { 'X-Padding': 'p'.repeat(20 * 1024) } }),
    [431],
  );
  if (headerNames.includes('if-match')) {
    for (const v of [
      'abc',
      '"-1"',
      '"1.5"',
      '"99999999999"',
      '*',
      'W/"abc"',
      '"1", "2"',
      '""x',
      'a'.repeat(4000),
    ])
      add('header: bad If-Match', v.slice(0, 30), baseReq({ headers: { 'If-Match': v } }), [400]);
  }
  if (headerNames.includes('idempotency-key')) {
    for (const v of [
      'a'.repeat(201),
      'has space',
      'semi;colon',
      '../../etc',
      "'; DROP TABLE cases--",
      'cl\u00e9',
    ])
      add(
        'header: bad Idempotency-Key',
        v.slice(0, 30),
        baseReq({ headers: { 'Idempotency-Key': v } }),
        [400],
      );
  }
  if (headerNames.includes('x-access-reason')) {
    for (const v of ["' OR 1=1--", 'r'.repeat(6000), '<script>x</script>'])
      add(
        'header: hostile X-Access-Reason',
        v.slice(0, 30),
        baseReq({ headers: { 'X-Access-Reason': v } }),
        'any',
      );
  }

  // ---- query parameters -----------------------------------------------------------------------
  const query = op.params.filter((p) => p.in === 'query');
  const withQuery = (extra: Record<string, string>) =>
    baseReq({ url: urlOf(t, t.path, { ...t.query, ...extra }) });
  const rawQuery = (qs: string) =>
    baseReq({ url: `${urlOf(t, t.path, t.query)}${Object.keys(t.query).length ? '&' : '?'}${qs}` });
  for (const p of query) {
    const s = p.schema;
    if (p.name === 'limit')
      for (const v of ['0', '201', '-1', 'abc', '1.5', '1e3', '', '99999999999999999999'])
        add('query: bad limit', `limit=${v}`, withQuery({ limit: v }), [400]);
    else if (p.name === 'cursor')
      for (const v of badCursors())
        add('query: bad cursor', `cursor=${v.slice(0, 30)}`, withQuery({ cursor: v }), [400]);
    else if (Array.isArray(s.enum))
      for (const v of ['bogus', "' OR 1=1--", ''])
        add(
          'query: bad enum',
          `${p.name}=${v}`,
          withQuery({ [p.name]: v }),
          v === '' ? 'any' : [400],
        );
    else if (s.format === 'uuid')
      for (const v of ['nope', "' OR 1=1--"])
        add('query: bad uuid', `${p.name}=${v}`, withQuery({ [p.name]: v }), [400]);
    else if (s.format === 'date' || /^(from|to)$/.test(p.name))
      for (const v of ['2026-02-30', '2026-13-01', 'abc', '2026-11-10T00:00:00Z'])
        add('query: bad date', `${p.name}=${v}`, withQuery({ [p.name]: v }), [400]);
    else if (s.type === 'number' || s.type === 'integer')
      for (const v of ['abc', '-1', '1e309', '99999'])
        add('query: bad number', `${p.name}=${v}`, withQuery({ [p.name]: v }), [400]);
    else
      for (const v of ['x'.repeat(5000), "' OR 1=1--", '%00'])
        add(
          'query: hostile string',
          `${p.name}=${v.slice(0, 20)}`,
          withQuery({ [p.name]: v }),
          'any',
        );
    add('query: repeated', `${p.name} twice`, rawQuery(`${p.name}=1&${p.name}=2`), 'any');
  }
  if (query.length) {
    add('query: unknown parameter', 'isAdmin=true', withQuery({ isAdmin: 'true' }), [400]);
    add(
      'query: prototype pollution',
      '__proto__[polluted]',
      rawQuery('__proto__[polluted]=yes&constructor[prototype][polluted]=yes'),
      [400],
    );
  } else {
    add('query: unknown parameter', 'isAdmin=true', withQuery({ isAdmin: 'true' }), 'any');
    add('query: prototype pollution', '__proto__=x', rawQuery('__proto__=x&constructor=y'), 'any');
  }
  return out;
}

function nested(depth: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

function firstItem(base: unknown, path: (string | number)[]): unknown {
  let node: any = base;
  for (const p of path) node = node?.[p];
  return Array.isArray(node) ? node[0] : undefined;
}

const b64 = (v: unknown) =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

export function badCursors(): string[] {
  const id = randomUUID();
  return [
    '!!!',
    'a'.repeat(300),
    b64(['x', 'y']),
    b64(['2026-01-01T00:00:00Z', 'not-a-uuid']),
    b64(['2026-01-01T00:00:00Z', `${id}'--`]),
    b64(['2026', id]),
    b64(['Tue, 01 Dec 2026 00:00:00 GMT', id]),
    b64(['+275760-09-13T00:00:00.000Z', id]),
    b64(['2026-01-01T00:00:00Z\u0000', id]),
    b64('{"__proto__":{"polluted":"yes"}}'),
    b64([1, 2]),
    b64('null'),
  ];
}

export function urlOf(
  t: Target,
  path: Record<string, string>,
  query: Record<string, string>,
  raw = false,
): string {
  const p = t.op.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    raw ? path[name] : encodeURIComponent(path[name] ?? ''),
  );
  const qs = new URLSearchParams(query).toString();
  return qs ? `${p}?${qs}` : p;
}
