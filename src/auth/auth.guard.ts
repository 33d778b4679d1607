// Deny by default: every route needs a valid bearer token unless marked @Public, and a role from
// its @Roles list. A role that may never use a record route gets 404 (existence is not revealed);
// on lists and actions it gets 403. A token is only as good as its account: a user who was
// deactivated or deleted, or whose role, scheme or contractor changed, is signed out at once.
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../common/errors.js';
import { recordKindOf } from '../common/record-route.js';
import { isUuid } from '../common/validation.js';
import type { Role } from '../users/user.entity.js';
import { AUTHENTICATED_KEY, PUBLIC_KEY, ROLES_KEY } from './decorators.js';
import type { Principal } from './principal.js';
import { TokenService } from './token.service.js';

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly ds: DataSource,
  ) {}

  private async stillHolds(p: Principal): Promise<boolean> {
    if (!isUuid(p.id)) return false;
    // Every authenticated request runs this, so it goes straight to the driver's pool (one
    // statement, no transaction): TypeORM's query runner around it cost more than the query.
    const pool = (this.ds.driver as unknown as { master?: Pick<pg.Pool, 'query'> }).master;
    const sql = `SELECT role, scheme_id, contractor_id FROM users WHERE id = $1 AND active`;
    const [u] = pool ? (await pool.query(sql, [p.id])).rows : await this.ds.query(sql, [p.id]);
    return (
      !!u && u.role === p.role && u.scheme_id === p.schemeId && u.contractor_id === p.contractorId
    );
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<{
      headers: Record<string, string | undefined>;
      principal?: Principal;
      routeOptions?: { url?: string };
      params?: Record<string, string>;
    }>();
    const header = req.headers.authorization ?? '';
    // The scheme name is case-insensitive (RFC 7235 §2.1); the token after it is not.
    const m = /^bearer ([A-Za-z0-9_.-]+)$/i.exec(header);
    const principal = m ? this.tokens.verify(m[1]) : null;
    if (!principal || !(await this.stillHolds(principal))) throw new UnauthorizedError();
    req.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles) {
      // Deny by default: a route must say who may use it.
      if (this.reflector.getAllAndOverride<boolean>(AUTHENTICATED_KEY, targets)) return true;
      throw new ForbiddenError('This endpoint has no access rule, so nobody may use it.');
    }
    if (roles.includes(principal.role)) return true;
    if (recordKindOf(req.routeOptions?.url)) throw new NotFoundError('record');
    throw new ForbiddenError();
  }
}
