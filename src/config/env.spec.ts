import { ConfigError, validateEnv } from './env.js';

function problems(env: Record<string, string>): string[] {
  try {
    validateEnv(env);
    return [];
  } catch (err) {
    return (err as ConfigError).problems;
  }
}

describe('validateEnv', () => {
  it('starts from sensible local defaults', async () => {
    const env = validateEnv({});
    expect(env.PORT).toBe(3000);
    expect(env.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/sanctuary');
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('gives one clear line per bad value', async () => {
    expect(problems({ PORT: 'abc', DATABASE_URL: 'mysql://x' })).toEqual([
      'PORT=abc is invalid: must be an integer number',
      'DATABASE_URL=mysql://x is invalid: must be a postgres:// URL',
    ]);
  });

  it('never prints a secret it rejects', async () => {
    const [line] = problems({ JWT_SECRET: 'short-secret' });
    expect(line).toBe('JWT_SECRET=<hidden> is invalid: must be at least 32 characters');
  });

  it('refuses to start in production without explicit secrets', async () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      'JWT_SECRET is missing: it must be set explicitly in production',
      'DATA_KEYS is missing: it must be set explicitly in production',
      'HASH_KEY is missing: it must be set explicitly in production',
    ]);
  });

  it('wants the first admin email and password together', async () => {
    expect(problems({ ADMIN_EMAIL: 'a@b.org' })).toEqual([
      'ADMIN_EMAIL and ADMIN_PASSWORD must be set together',
    ]);
  });
});
