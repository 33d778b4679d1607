// Key rotation: moves every encrypted value still under an old key onto the current key (the first
// of DATA_KEYS). Run after adding a new key in front; then the old key can be removed.
import type { DataSource } from 'typeorm';
import { encContext, type FieldCrypto } from './field-crypto.js';

interface EncryptedColumn {
  table: string;
  column: string;
  /** SQL for the id used in the value's context (the row id, or its case id). */
  contextId: string;
  contextColumn: string;
}

/** Every column holding ciphertext, with the context each value is bound to. */
export const ENCRYPTED_COLUMNS: EncryptedColumn[] = [
  { table: 'cases', column: 'personal_enc', contextId: 'id', contextColumn: 'personal' },
  { table: 'case_events', column: 'note_enc', contextId: 'case_id', contextColumn: 'note' },
  { table: 'reviews', column: 'note_enc', contextId: 'case_id', contextColumn: 'note' },
  { table: 'approvals', column: 'token_enc', contextId: 'id', contextColumn: 'token' },
  { table: 'approvals', column: 'respondent_enc', contextId: 'id', contextColumn: 'respondent' },
  { table: 'approvals', column: 'reason_enc', contextId: 'id', contextColumn: 'reason' },
  { table: 'jobs', column: 'notes_enc', contextId: 'id', contextColumn: 'notes' },
  { table: 'notifications', column: 'recipient_enc', contextId: 'id', contextColumn: 'recipient' },
  { table: 'notifications', column: 'body_enc', contextId: 'id', contextColumn: 'body' },
];

const BATCH = 500;

/** Re-encrypts in batches; returns how many values moved per table.column. */
export async function reencryptAll(
  ds: DataSource,
  crypto: FieldCrypto,
): Promise<Record<string, number>> {
  const moved: Record<string, number> = {};
  for (const col of ENCRYPTED_COLUMNS) {
    let total = 0;
    for (;;) {
      const n = await ds.transaction(async (m) => {
        const rows: { rid: string; cid: string; value: string }[] = await m.query(
          `SELECT ctid::text AS rid, ${col.contextId}::text AS cid, ${col.column} AS value FROM ${col.table}
           WHERE ${col.column} IS NOT NULL AND split_part(${col.column}, ':', 2) <> $1 LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
          [crypto.currentKeyId],
        );
        for (const r of rows) {
          const context = encContext(col.table, r.cid, col.contextColumn);
          const fresh = crypto.encrypt(crypto.decrypt(r.value, context), context);
          await m.query(
            `UPDATE ${col.table} SET ${col.column} = $1 WHERE ctid = $2::tid AND ${col.column} = $3`,
            [fresh, r.rid, r.value],
          );
        }
        return rows.length;
      });
      total += n;
      if (n < BATCH) break;
    }
    moved[`${col.table}.${col.column}`] = total;
  }
  return moved;
}
