// Personal data is encrypted in the application with AES-256-GCM before it reaches PostgreSQL.
// Each value is bound to where it lives (`table:id:column` as associated data), so a ciphertext
// copied to another row or column fails to decrypt. Keys rotate: the first key encrypts, every
// configured key decrypts, and `npm run cli -- reencrypt` moves old rows onto the current key.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { DataKey } from '../../config/app-config.js';

export class DecryptionError extends Error {
  constructor() {
    super('a stored value could not be decrypted');
  }
}

export class FieldCrypto {
  private readonly keys: Map<string, Buffer>;
  private readonly current: DataKey;

  constructor(
    dataKeys: DataKey[],
    private readonly hashKey: Buffer,
  ) {
    if (!dataKeys.length) throw new Error('no data keys configured');
    this.current = dataKeys[0];
    this.keys = new Map(dataKeys.map((k) => [k.id, k.key]));
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  encrypt(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      'v1',
      this.current.id,
      iv.toString('base64'),
      tag.toString('base64'),
      ct.toString('base64'),
    ].join(':');
  }

  decrypt(stored: string, context: string): string {
    const parts = stored.split(':');
    if (parts.length !== 5 || parts[0] !== 'v1') throw new DecryptionError();
    const key = this.keys.get(parts[1]);
    if (!key) throw new DecryptionError();
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[2], 'base64'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(parts[3], 'base64'));
      return Buffer.concat([
        decipher.update(Buffer.from(parts[4], 'base64')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new DecryptionError();
    }
  }

  encryptJson(value: unknown, context: string): string {
    return this.encrypt(JSON.stringify(value), context);
  }

  decryptJson<T>(stored: string, context: string): T {
    return JSON.parse(this.decrypt(stored, context)) as T;
  }

  keyIdOf(stored: string): string {
    return stored.split(':')[1];
  }

  /** Keyed hash for equality search (postcodes, same-person matching) without storing the value. */
  hash(normalised: string, purpose: string): string {
    return createHmac('sha256', this.hashKey)
      .update(`${purpose}\u0000${normalised}`)
      .digest('base64url');
  }
}

export function normalisePostcode(postcode: string): string {
  return postcode.replace(/\s+/g, '').toUpperCase();
}

export function encContext(table: string, id: string, column: string): string {
  return `${table}:${id}:${column}`;
}
