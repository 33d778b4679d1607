// The WHERE clause of a keyset-paginated list of one scheme's rows, newest first: filters add
// numbered parameters in order, the cursor continues after the last row seen.
import type { Cursor } from './pagination.js';

export class ListQuery {
  private readonly params: unknown[];
  private readonly where: string[];

  constructor(
    private readonly alias: string,
    schemeId: string | null,
    readonly limit: number,
  ) {
    this.params = [schemeId, limit + 1];
    this.where = [`${alias}.scheme_id = $1`];
  }

  /** Adds a condition on one value; `sql` receives the value's placeholder. */
  add(sql: (placeholder: string) => string, value: unknown): this {
    this.params.push(value);
    this.where.push(sql(`$${this.params.length}`));
    return this;
  }

  after(cursor: Cursor | null): this {
    if (!cursor) return this;
    this.params.push(cursor.at, cursor.id);
    const n = this.params.length;
    this.where.push(`(${this.alias}.created_at, ${this.alias}.id) < ($${n - 1}, $${n}::uuid)`);
    return this;
  }

  /** The statement (limit + 1 rows, so the caller knows whether there is a next page) and its parameters. */
  build(select: string, from: string): [string, unknown[]] {
    const a = this.alias;
    return [
      `SELECT ${select} FROM ${from} WHERE ${this.where.join(' AND ')} ORDER BY ${a}.created_at DESC, ${a}.id DESC LIMIT $2`,
      this.params,
    ];
  }
}
