import { Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { AppConfig } from '../config/app-config.js';
import { ROLES } from '../users/user.entity.js';
import type { Principal } from './principal.js';

const ISSUER = 'sanctuary';
const AUDIENCE = 'sanctuary-api';

@Injectable()
export class TokenService {
  constructor(private readonly config: AppConfig) {}

  get ttlSeconds(): number {
    return this.config.env.ACCESS_TOKEN_TTL_SECONDS;
  }

  sign(p: Principal): string {
    return jwt.sign({ role: p.role, sch: p.schemeId, con: p.contractorId }, this.config.jwtSecret, {
      algorithm: 'HS256',
      subject: p.id,
      expiresIn: this.ttlSeconds,
      issuer: ISSUER,
      audience: AUDIENCE,
    });
  }

  /** The principal of a valid token, or null (forged, expired, wrong algorithm, malformed). */
  verify(token: string): Principal | null {
    try {
      const c = jwt.verify(token, this.config.jwtSecret, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
      }) as jwt.JwtPayload;
      if (typeof c.sub !== 'string' || !(ROLES as readonly string[]).includes(c.role)) return null;
      return { id: c.sub, role: c.role, schemeId: c.sch ?? null, contractorId: c.con ?? null };
    } catch {
      return null;
    }
  }
}
