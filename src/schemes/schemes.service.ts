import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import type { Principal } from '../auth/principal.js';
import { NotFoundError } from '../common/errors.js';
import {
  DEFAULT_SETTINGS,
  SchemeEntity,
  type SchemeSettings,
  withDefaults,
} from './scheme.entity.js';
import type { CreateSchemeDto, PatchSettingsDto, SchemeResponse } from './schemes.dto.js';

function toSchemeResponse(s: SchemeEntity): SchemeResponse {
  return {
    id: s.id,
    name: s.name,
    localAuthority: s.localAuthority,
    settings: s.settings,
    createdAt: s.createdAt.toISOString(),
  };
}

@Injectable()
export class SchemesService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Principal, dto: CreateSchemeDto): Promise<SchemeResponse> {
    return this.ds.transaction(async (m) => {
      const s = await m.getRepository(SchemeEntity).save(
        m.getRepository(SchemeEntity).create({
          name: dto.name,
          localAuthority: dto.localAuthority,
          settings: DEFAULT_SETTINGS,
        }),
      );
      await this.audit.write(
        {
          schemeId: s.id,
          actorId: actor.id,
          action: 'scheme.create',
          entity: 'scheme',
          entityId: s.id,
        },
        m,
      );
      return toSchemeResponse(s);
    });
  }

  async settings(schemeId: string): Promise<SchemeSettings> {
    const s = await this.ds.getRepository(SchemeEntity).findOneBy({ id: schemeId });
    if (!s) throw new NotFoundError('scheme');
    return withDefaults(s.settings);
  }

  async patchSettings(actor: Principal, dto: PatchSettingsDto): Promise<SchemeSettings> {
    const schemeId = actor.schemeId!;
    return this.ds.transaction(async (m) => {
      const s = await m
        .getRepository(SchemeEntity)
        .findOne({ where: { id: schemeId }, lock: { mode: 'pessimistic_write' } });
      if (!s) throw new NotFoundError('scheme');
      const settings: SchemeSettings = { ...withDefaults(s.settings), ...dto } as SchemeSettings;
      if (dto.jobConfirmHours) settings.jobConfirmHours = { ...dto.jobConfirmHours };
      if (dto.reviewOffsetsDays)
        settings.reviewOffsetsDays = [...new Set(dto.reviewOffsetsDays)].sort((a, b) => a - b);
      await m.getRepository(SchemeEntity).update({ id: schemeId }, { settings });
      await this.audit.write(
        {
          schemeId,
          actorId: actor.id,
          action: 'scheme.settings',
          entity: 'scheme',
          entityId: schemeId,
          data: { changed: Object.keys(dto) },
        },
        m,
      );
      return settings;
    });
  }
}
