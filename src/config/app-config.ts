// Owns the typed configuration the rest of the app injects. Secrets missing outside production are
// generated once into a git-ignored `.secrets/dev.json`, so a developer's first `npm start` works.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvDto, validateEnv } from './env.js';

export interface DataKey {
  id: string;
  key: Buffer;
}

export class AppConfig {
  readonly env: EnvDto;
  readonly jwtSecret: string;
  readonly dataKeys: DataKey[];
  readonly hashKey: Buffer;

  constructor(env: EnvDto, secrets: { jwtSecret: string; dataKeys: string; hashKey: string }) {
    this.env = env;
    this.jwtSecret = secrets.jwtSecret;
    this.dataKeys = parseDataKeys(secrets.dataKeys);
    this.hashKey = Buffer.from(secrets.hashKey, 'utf8');
  }

  get isProduction(): boolean {
    return this.env.NODE_ENV === 'production';
  }
}

export function parseDataKeys(spec: string): DataKey[] {
  return spec.split(',').map((pair) => {
    const [id, b64] = pair.split(':');
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32) throw new Error(`data key ${id} is not 32 bytes`);
    return { id, key };
  });
}

function devSecrets(dir: string): { jwtSecret: string; dataKeys: string; hashKey: string } {
  const file = join(dir, 'dev.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const secrets = {
    jwtSecret: randomBytes(48).toString('base64url'),
    dataKeys: `dev1:${randomBytes(32).toString('base64')}`,
    hashKey: randomBytes(32).toString('base64url'),
  };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

export function loadConfig(raw: Record<string, string | undefined> = process.env): AppConfig {
  const env = validateEnv(raw);
  let generated: ReturnType<typeof devSecrets> | undefined;
  const fallback = () => (generated ??= devSecrets(join(process.cwd(), '.secrets')));
  return new AppConfig(env, {
    jwtSecret: env.JWT_SECRET ?? fallback().jwtSecret,
    dataKeys: env.DATA_KEYS ?? fallback().dataKeys,
    hashKey: env.HASH_KEY ?? fallback().hashKey,
  });
}
