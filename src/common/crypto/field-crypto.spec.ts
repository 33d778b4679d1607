import { randomBytes } from 'node:crypto';
import { DecryptionError, FieldCrypto, normalisePostcode } from './field-crypto.js';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };

describe(FieldCrypto.name, () => {
  const sut = new FieldCrypto([k1], Buffer.from('hash-key-hash-key-hash-key-hash-key'));

  it('round-trips a value and never stores the plain text', async () => {
    const stored = sut.encrypt('Jane Doe, 1 High St', 'cases:1:personal');
    expect(stored).not.toContain('Jane');
    expect(sut.decrypt(stored, 'cases:1:personal')).toBe('Jane Doe, 1 High St');
  });

  it('uses a fresh IV each time', async () => {
    expect(sut.encrypt('x', 'c')).not.toBe(sut.encrypt('x', 'c'));
  });

  it('refuses a tampered ciphertext', async () => {
    const stored = sut.encrypt('secret', 'ctx');
    const parts = stored.split(':');
    const ct = Buffer.from(parts[4], 'base64');
    ct[0] ^= 1;
    parts[4] = ct.toString('base64');
    expect(() => sut.decrypt(parts.join(':'), 'ctx')).toThrow(DecryptionError);
  });

  it('refuses a ciphertext moved to another row or column', async () => {
    const stored = sut.encrypt('secret', 'cases:1:personal');
    expect(() => sut.decrypt(stored, 'cases:2:personal')).toThrow(DecryptionError);
  });

  it('decrypts with an old key after rotation and encrypts with the new one', async () => {
    const old = sut.encrypt('before rotation', 'ctx');
    const rotated = new FieldCrypto([k2, k1], Buffer.from('hash-key-hash-key-hash-key-hash-key'));
    expect(rotated.decrypt(old, 'ctx')).toBe('before rotation');
    expect(rotated.keyIdOf(rotated.encrypt('after', 'ctx'))).toBe('k2');
    const withoutOld = new FieldCrypto([k2], Buffer.from('hash-key-hash-key-hash-key-hash-key'));
    expect(() => withoutOld.decrypt(old, 'ctx')).toThrow(DecryptionError);
  });

  it('hashes postcodes irrespective of spacing and case', async () => {
    expect(sut.hash(normalisePostcode('cv1 2ab'), 'postcode')).toBe(
      sut.hash(normalisePostcode('CV12AB'), 'postcode'),
    );
    expect(sut.hash('CV12AB', 'postcode')).not.toBe(sut.hash('CV12AB', 'person'));
  });
});
