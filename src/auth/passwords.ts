// Password hashing with argon2id. The cost comes from the environment so the test suite (which
// creates hundreds of users) can use a cheaper setting; production keeps argon2's defaults
// (64 MiB, 3 passes). Verification reads the cost from each stored hash, so both kinds verify.
import argon2 from 'argon2';

const memoryCost = Number(process.env.ARGON2_MEMORY_KIB ?? 65536);
const timeCost = Number(process.env.ARGON2_TIME_COST ?? 3);

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, memoryCost, timeCost });
}

export function verifyPassword(hash: string, password: string): Promise<boolean> {
  return argon2.verify(hash, password).catch(() => false);
}
