// Reads the served OpenAPI document: its operations, their parameters and bodies, and validators
// for the responses it declares. The document is the map every security test walks.
import { Ajv, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import type { TestApp } from '../../support/app.js';

type Json = Record<string, any>;

export interface Param {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Json;
}

export interface Operation {
  /** e.g. `POST /api/v1/cases/{id}/accept` */
  key: string;
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string;
  params: Param[];
  /** The JSON request body schema, dereferenced (undefined when the operation takes none). */
  body?: Json;
  responses: Record<string, Json>;
  secured: boolean;
}

export interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, Json> };
}

export async function fetchDoc(t: TestApp): Promise<OpenApiDoc> {
  const res = await t.http.get('/docs-json');
  if (res.status !== 200) throw new Error(`GET /docs-json answered ${res.status}`);
  return res.body as OpenApiDoc;
}

/** Replaces every $ref with the schema it names (the document has no recursive schemas). */
export function deref(doc: OpenApiDoc, schema: unknown): any {
  if (Array.isArray(schema)) return schema.map((s) => deref(doc, s));
  if (!schema || typeof schema !== 'object') return schema;
  const s = schema as Json;
  if (typeof s.$ref === 'string') {
    const name = s.$ref.replace('#/components/schemas/', '');
    const target = doc.components.schemas[name];
    if (!target) throw new Error(`unresolved $ref ${s.$ref}`);
    return deref(doc, target);
  }
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, deref(doc, v)]));
}

const METHODS = ['get', 'post', 'patch', 'put', 'delete'] as const;

export function operations(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      // Headers are case-insensitive: the document may list one twice (decorator + @Headers()).
      const seen = new Set<string>();
      const params: Param[] = [];
      for (const p of (op.parameters ?? []) as Json[]) {
        const id = `${p.in}:${String(p.name).toLowerCase()}`;
        if (seen.has(id)) continue;
        seen.add(id);
        params.push({
          name: p.name,
          in: p.in,
          required: !!p.required,
          schema: deref(doc, p.schema ?? {}),
        });
      }
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      ops.push({
        key: `${method.toUpperCase()} ${path}`,
        method,
        path,
        params,
        body: bodySchema ? deref(doc, bodySchema) : undefined,
        responses: op.responses ?? {},
        secured: Array.isArray(op.security) && op.security.length > 0,
      });
    }
  }
  return ops;
}

/** Fills `{name}` path parameters; values are URL-encoded unless `raw`. */
export function urlFor(op: Operation, path: Record<string, string>, raw = false): string {
  return op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = path[name];
    if (v === undefined) throw new Error(`${op.key}: no value for path parameter ${name}`);
    return raw ? v : encodeURIComponent(v);
  });
}

/** The operation a concrete request path belongs to (`/api/v1/cases/<uuid>/accept` → its key). */
export function matchOperation(ops: Operation[], method: string, url: string): Operation | null {
  const path = url.split('?')[0];
  const candidates = ops.filter((o) => o.method === method.toLowerCase());
  // Literal segments win over parameters (`/reports/pipeline` before `/reports/{x}`).
  const scored = candidates
    .map((o) => {
      const re = new RegExp(`^${o.path.replace(/\{\w+\}/g, '[^/]+')}$`);
      return { o, ok: re.test(path), literal: o.path.replace(/\{\w+\}/g, '').length };
    })
    .filter((x) => x.ok)
    .sort((a, b) => b.literal - a.literal);
  return scored[0]?.o ?? null;
}

/**
 * The response schema made strict: every object that lists its properties may carry no others
 * (an undocumented field is a failure), and `nullable` is honoured as OpenAPI 3.0 means it.
 */
export function strictSchema(schema: unknown): any {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const s = Object.fromEntries(
    Object.entries(schema as Json).map(([k, v]) => [
      k,
      k === 'properties'
        ? Object.fromEntries(Object.entries(v as Json).map(([p, ps]) => [p, strictSchema(ps)]))
        : strictSchema(v),
    ]),
  );
  if (s.properties && s.additionalProperties === undefined) s.additionalProperties = false;
  // OpenAPI 3.0: `nullable` with `enum` still admits null, and so does a nullable reference
  // (`allOf: [$ref]`, which the referenced schema alone would refuse): spelt out for Ajv.
  if (s.nullable && Array.isArray(s.enum) && !s.enum.includes(null)) s.enum = [...s.enum, null];
  if (s.nullable && (s.type === undefined || s.allOf)) {
    const { nullable: _nullable, ...rest } = s;
    return { anyOf: [{ type: 'null' }, rest] };
  }
  return s;
}

const addFormats = ((formatsModule as unknown as { default?: unknown }).default ??
  formatsModule) as unknown as (ajv: Ajv) => Ajv;

export interface ResponseCheck {
  ok: boolean;
  /** Why the response does not conform (empty when it does). */
  problems: string[];
}

/** Validates responses against what the document declares for their operation and status. */
export class ResponseValidator {
  private readonly ajv: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(private readonly doc: OpenApiDoc) {
    this.ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(this.ajv);
    // An instant in this API is ISO-8601 with an offset; a date is YYYY-MM-DD.
    this.ajv.addFormat(
      'date-time',
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
    );
  }

  check(
    op: Operation,
    status: number,
    contentType: string | undefined,
    body: unknown,
  ): ResponseCheck {
    const declared = op.responses[String(status)];
    if (!declared) {
      return {
        ok: false,
        problems: [
          `${op.key}: status ${status} is not documented (documented: ${Object.keys(op.responses).join(', ')})`,
        ],
      };
    }
    const media = (contentType ?? '').split(';')[0].trim();
    const content = declared.content as Json | undefined;
    if (!content) {
      return body === undefined || body === '' || (body && Object.keys(body).length === 0)
        ? { ok: true, problems: [] }
        : { ok: false, problems: [`${op.key} ${status}: a body was sent but none is documented`] };
    }
    const entry = content[media];
    if (!entry) {
      return {
        ok: false,
        problems: [
          `${op.key} ${status}: content type ${media || '(none)'} is not documented (documented: ${Object.keys(content).join(', ')})`,
        ],
      };
    }
    if (media === 'text/csv') {
      // A CSV answer has no JSON schema: its header row must be the documented one.
      const header = typeof entry.example === 'string' ? entry.example.split('\r\n')[0] : null;
      const got = typeof body === 'string' ? body.split('\r\n')[0] : null;
      return header !== null && got === header
        ? { ok: true, problems: [] }
        : {
            ok: false,
            problems: [
              `${op.key} ${status}: CSV header ${JSON.stringify(got)} is not the documented ${JSON.stringify(header)}`,
            ],
          };
    }
    if (!media.endsWith('json')) return { ok: true, problems: [] };
    const key = `${op.key} ${status} ${media}`;
    let validate = this.cache.get(key);
    if (!validate) {
      // Problem documents are extensible (RFC 9457 extension members): not made strict.
      const schema = deref(this.doc, entry.schema ?? {});
      validate = this.ajv.compile(
        media === 'application/problem+json' ? schema : strictSchema(schema),
      );
      this.cache.set(key, validate);
    }
    if (validate(body)) return { ok: true, problems: [] };
    return {
      ok: false,
      problems: (validate.errors ?? []).map(
        (e) =>
          `${op.key} ${status}: ${e.instancePath || '(body)'} ${e.message}${
            e.params && 'additionalProperty' in e.params
              ? ` (${String((e.params as { additionalProperty: string }).additionalProperty)})`
              : ''
          }`,
      ),
    };
  }
}
