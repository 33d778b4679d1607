import { Injectable } from '@nestjs/common';
import { hashPassword, verifyPassword } from './passwords.js';
import { DataSource } from 'typeorm';
import { UnauthorizedError } from '../common/errors.js';
import { UserEntity } from '../users/user.entity.js';
import { LoginLimiter } from './login-limiter.js';
import type { LoginResponse } from './auth.dto.js';
import { TokenService } from './token.service.js';

// A real hash to verify against when the email is unknown, so both answers take the same time.
const DUMMY_HASH = hashPassword('not-a-real-password-0000');

@Injectable()
export class AuthService {
  constructor(
    private readonly ds: DataSource,
    private readonly tokens: TokenService,
    private readonly limiter: LoginLimiter,
  ) {}

  async login(email: string, password: string, address: string): Promise<LoginResponse> {
    await this.limiter.beforeAttempt(email, address);
    const user = await this.ds
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .where('lower(u.email) = lower(:email)', { email: email.trim() })
      .getOne();
    const ok = await verifyPassword(user?.passwordHash ?? (await DUMMY_HASH), password);
    if (!user || !ok || !user.active) {
      await this.limiter.failed(email);
      throw new UnauthorizedError('The email or password is not right.');
    }
    await this.limiter.succeeded(email);
    const principal = {
      id: user.id,
      role: user.role,
      schemeId: user.schemeId,
      contractorId: user.contractorId,
    };
    return {
      accessToken: this.tokens.sign(principal),
      expiresIn: this.tokens.ttlSeconds,
      user: principal,
    };
  }
}
