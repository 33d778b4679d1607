import { Injectable, Logger } from '@nestjs/common';
import { hashPassword } from '../auth/passwords.js';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { ConflictError, ForbiddenError, NotFoundError, RuleError } from '../common/errors.js';
import { ContractorEntity } from '../contractors/contractor.entity.js';
import { SchemeEntity } from '../schemes/scheme.entity.js';
import { UserEntity } from './user.entity.js';
import type { CreateUserDto, PatchUserDto, UserResponse } from './users.dto.js';

export function toUserResponse(u: UserEntity): UserResponse {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    schemeId: u.schemeId,
    contractorId: u.contractorId,
    active: u.active,
    createdAt: u.createdAt.toISOString(),
  };
}

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async get(id: string): Promise<UserResponse> {
    const u = await this.ds.getRepository(UserEntity).findOneBy({ id });
    if (!u) throw new NotFoundError('user');
    return toUserResponse(u);
  }

  async create(actor: Principal, dto: CreateUserDto): Promise<UserResponse> {
    let schemeId: string | null = dto.schemeId ?? null;
    if (actor.role === 'scheme_manager') {
      if (dto.role === 'admin') throw new ForbiddenError('A scheme manager cannot create admins.');
      if (schemeId && schemeId !== actor.schemeId) throw new NotFoundError('scheme');
      schemeId = actor.schemeId;
    }
    if (dto.role === 'admin') {
      if (schemeId)
        throw new RuleError(
          'ADMIN_HAS_NO_SCHEME',
          'Admins do not belong to a scheme: leave schemeId out.',
        );
    } else if (!schemeId) {
      throw new RuleError('SCHEME_REQUIRED', 'Give the schemeId the user belongs to.');
    } else if (!(await this.ds.getRepository(SchemeEntity).existsBy({ id: schemeId }))) {
      throw new NotFoundError('scheme');
    }
    let contractorId: string | null = null;
    if (dto.role === 'installer') {
      if (!dto.contractorId)
        throw new RuleError(
          'CONTRACTOR_REQUIRED',
          'An installer must belong to a contractor: give contractorId.',
        );
      const c = await this.ds.getRepository(ContractorEntity).findOneBy({ id: dto.contractorId });
      if (!c || c.schemeId !== schemeId) throw new NotFoundError('contractor');
      contractorId = c.id;
    } else if (dto.contractorId) {
      throw new RuleError(
        'CONTRACTOR_ONLY_FOR_INSTALLERS',
        'Only installers belong to a contractor.',
      );
    }
    const passwordHash = await hashPassword(dto.password);
    return this.ds.transaction(async (m) => {
      const exists = await m
        .getRepository(UserEntity)
        .createQueryBuilder('u')
        .where('lower(u.email) = lower(:email)', { email: dto.email })
        .getExists();
      if (exists) throw new ConflictError('EMAIL_TAKEN', 'A user with this email already exists.');
      const saved = await m
        .getRepository(UserEntity)
        .save(
          m.getRepository(UserEntity).create({
            email: dto.email.trim(),
            name: dto.name,
            role: dto.role,
            passwordHash,
            schemeId,
            contractorId,
          }),
        )
        .catch((err: { code?: string }) => {
          if (err.code === '23505')
            throw new ConflictError('EMAIL_TAKEN', 'A user with this email already exists.');
          throw err;
        });
      await this.audit.write(
        {
          schemeId,
          actorId: actor.id,
          action: 'user.create',
          entity: 'user',
          entityId: saved.id,
          data: { role: dto.role },
        },
        m,
      );
      return toUserResponse(saved);
    });
  }

  /** Deactivating a user signs them out at once (every request re-checks the account). */
  async patch(actor: Principal, id: string, dto: PatchUserDto): Promise<UserResponse> {
    return this.ds.transaction(async (m) => {
      const repo = m.getRepository(UserEntity);
      const u = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      // A scheme manager manages their own scheme's staff only, never admins.
      if (
        !u ||
        (actor.role === 'scheme_manager' && (u.schemeId !== actor.schemeId || u.role === 'admin'))
      ) {
        throw new NotFoundError('user');
      }
      if (dto.active === false && u.id === actor.id) {
        throw new RuleError('CANNOT_DEACTIVATE_SELF', 'You cannot deactivate your own account.');
      }
      const set = {
        ...(dto.active !== undefined ? { active: dto.active } : {}),
        ...(dto.name ? { name: dto.name } : {}),
      };
      // An empty PATCH changes nothing (TypeORM refuses an UPDATE without values: it was a 500).
      if (!Object.keys(set).length) return toUserResponse(u);
      await repo.update({ id }, set);
      await this.audit.write(
        {
          schemeId: u.schemeId,
          actorId: actor.id,
          action: 'user.update',
          entity: 'user',
          entityId: u.id,
          data: { fields: Object.keys(dto) },
        },
        m,
      );
      return toUserResponse((await repo.findOneBy({ id }))!);
    });
  }

  /** Creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD when no user has that email. */
  async ensureAdmin(email: string, password: string): Promise<boolean> {
    const repo = this.ds.getRepository(UserEntity);
    const exists = await repo
      .createQueryBuilder('u')
      .where('lower(u.email) = lower(:email)', { email })
      .getExists();
    if (exists) return false;
    await repo
      .insert({
        email,
        name: 'Administrator',
        role: 'admin',
        passwordHash: await hashPassword(password),
        schemeId: null,
        contractorId: null,
      })
      .catch((err: { code?: string }) => {
        if (err.code !== '23505') throw err;
      });
    this.logger.log('first admin created');
    return true;
  }
}
