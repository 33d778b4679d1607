// Owns the environment schema: every setting the service reads, validated once at start-up with one
// clear line per bad or missing value (`NAME=value is invalid: why`).
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  value === undefined || value === ''
    ? undefined
    : /^-?\d+$/.test(String(value))
      ? Number(value)
      : value;

export class EnvDto {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/sanctuary';

  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @IsOptional()
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'must be 1-64 letters, digits, _ . : -' })
  REDIS_PREFIX?: string;

  @IsIn(['all', 'api', 'worker'])
  APP_ROLE: 'all' | 'api' | 'worker' = 'all';

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  JWT_SECRET?: string;

  /** `keyId:base64(32 bytes)` pairs, comma separated; the first encrypts, all decrypt (rotation). */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]+:[A-Za-z0-9+/=]{43,44}(,[A-Za-z0-9_-]+:[A-Za-z0-9+/=]{43,44})*$/, {
    message: 'must be keyId:base64key[,keyId:base64key…] with 32-byte keys',
  })
  DATA_KEYS?: string;

  /** Key for the keyed hashes (postcode search, same-person matching). */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  HASH_KEY?: string;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(86400)
  ACCESS_TOKEN_TTL_SECONDS = 900;

  @IsOptional()
  @IsEmail({}, { message: 'must be an email address' })
  ADMIN_EMAIL?: string;

  @IsOptional()
  @IsString()
  @MinLength(12, { message: 'must be at least 12 characters' })
  ADMIN_PASSWORD?: string;

  @IsOptional()
  @Matches(/^smtps?:\/\/.+/, { message: 'must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;

  @IsString()
  MAIL_FROM = 'Sanctuary Scheme <no-reply@sanctuary.local>';

  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http(s) URL' })
  PUBLIC_BASE_URL = 'http://localhost:3000';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  RECONCILE_EVERY_MS = 60000;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  DB_STATEMENT_TIMEOUT_MS = 30000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  DB_POOL_SIZE = 10;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50)
  WORKER_CONCURRENCY = 5;

  /** How many due approvals one chasing transaction takes when a backlog is due at once. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  CHASE_BATCH_SIZE = 100;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  LOGIN_MAX_FAILURES = 5;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_LOCKOUT_SECONDS = 900;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  LOGIN_MAX_PER_ADDRESS = 30;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(90)
  CONSENT_LINK_DAYS = 30;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Validates the environment; throws ConfigError with one line per problem. */
export function validateEnv(raw: Record<string, string | undefined>): EnvDto {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(new EnvDto())) {
    const v = raw[key];
    if (v !== undefined && v !== '') relevant[key] = v;
  }
  for (const key of [
    'REDIS_PREFIX',
    'JWT_SECRET',
    'DATA_KEYS',
    'HASH_KEY',
    'ADMIN_EMAIL',
    'ADMIN_PASSWORD',
    'SMTP_URL',
  ]) {
    const v = raw[key];
    if (v !== undefined && v !== '') relevant[key] = v;
  }
  const env = plainToInstance(EnvDto, relevant);
  const errors = validateSync(env, { skipMissingProperties: false });
  const problems = errors.map((e) => {
    const constraints = e.constraints ?? {};
    // The type check speaks first: "must be an integer" before "must not be greater than".
    const key =
      ['isInt', 'isIn', 'matches', 'isEmail', 'isString'].find((k) => k in constraints) ??
      Object.keys(constraints)[0];
    const why = (key && constraints[key]) || 'is invalid';
    const shown = /SECRET|KEY|PASSWORD/.test(e.property) ? '<hidden>' : String(e.value);
    return `${e.property}=${shown} is invalid: ${why.replace(new RegExp(`^${e.property} `), '')}`;
  });
  if (env.NODE_ENV === 'production') {
    for (const key of ['JWT_SECRET', 'DATA_KEYS', 'HASH_KEY'] as const) {
      if (!env[key]) problems.push(`${key} is missing: it must be set explicitly in production`);
    }
  }
  if ((env.ADMIN_EMAIL && !env.ADMIN_PASSWORD) || (!env.ADMIN_EMAIL && env.ADMIN_PASSWORD)) {
    problems.push('ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  }
  if (problems.length) throw new ConfigError(problems);
  return env;
}
