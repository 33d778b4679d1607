// Operator commands: `npm run cli -- <command>` (after `npm run build`).
//   migrate                                  create the database if missing and run migrations
//   create-admin --email E --password P      create an admin (or use ADMIN_EMAIL / ADMIN_PASSWORD)
//   reencrypt                                move every encrypted value onto the current data key
import 'reflect-metadata';
import { hashPassword } from './auth/passwords.js';
import { config as loadDotenv } from 'dotenv';
import { prepareDatabase } from './app.factory.js';
import { loadConfig } from './config/app-config.js';
import { ConfigError } from './config/env.js';
import { FieldCrypto } from './common/crypto/field-crypto.js';
import { reencryptAll } from './common/crypto/reencrypt.js';
import { ServiceUnreachableError } from './database/bootstrap.js';

loadDotenv({ quiet: true });

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const command = process.argv[2];
  if (!['migrate', 'create-admin', 'reencrypt'].includes(command ?? '')) {
    console.error('usage: cli migrate | create-admin --email E --password P | reencrypt');
    return 2;
  }
  const config = loadConfig();
  const ds = await prepareDatabase(config);
  try {
    if (command === 'migrate') {
      console.log('database ready, migrations applied');
    } else if (command === 'create-admin') {
      const email = arg('email') ?? config.env.ADMIN_EMAIL;
      const password = arg('password') ?? config.env.ADMIN_PASSWORD;
      if (!email || !/^[^@\s]+@[^@\s]+$/.test(email) || !password || password.length < 12) {
        console.error('give --email and --password (at least 12 characters)');
        return 2;
      }
      const rows = await ds.query(
        `INSERT INTO users (email, name, role, password_hash) SELECT $1, 'Administrator', 'admin', $2
         WHERE NOT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1)) RETURNING id`,
        [email, await hashPassword(password)],
      );
      console.log(
        rows.length
          ? `admin created: ${rows[0].id}`
          : 'a user with that email exists already; nothing changed',
      );
    } else {
      const moved = await reencryptAll(ds, new FieldCrypto(config.dataKeys, config.hashKey));
      for (const [where, n] of Object.entries(moved)) console.log(`${where}: ${n} re-encrypted`);
    }
    return 0;
  } finally {
    await ds.destroy();
  }
}

main()
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    if (err instanceof ConfigError)
      console.error(`Configuration is not valid:\n${err.problems.map((p) => `  ${p}`).join('\n')}`);
    else if (err instanceof ServiceUnreachableError) console.error(err.message);
    else
      console.error(
        `failed: ${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? err}`,
      );
    process.exit(1);
  });
