import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from '../users/user.entity.js';
import type { Principal } from './principal.js';

export const ROLES_KEY = 'sanctuary:roles';
export const PUBLIC_KEY = 'sanctuary:public';

/** The roles that may call a handler; everyone else gets 403 (lists, actions) or 404 (records). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
export const AUTHENTICATED_KEY = 'sanctuary:authenticated';

/** Any signed-in user, whatever the role (their own profile, their own tasks). */
export const Authenticated = () => SetMetadata(AUTHENTICATED_KEY, true);
/** No token needed (login, health, docs, the landlord's consent link). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<{ principal: Principal }>().principal;
});
