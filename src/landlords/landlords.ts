// Landlords give (or refuse) consent for works to tenanted homes. They have no account.
import { Body, Controller, Get, Injectable, Post, Query } from '@nestjs/common';
import {
  ApiOperation,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { IsEmail, IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { CurrentUser, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiProblems } from '../common/api-problems.js';
import { decodeCursor, PageQuery, toPage, type Page } from '../common/pagination.js';
import { LANDLORD_KINDS, LandlordEntity, type LandlordKind } from './landlord.entity.js';

export class CreateLandlordDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name: string;
  @ApiProperty({ enum: LANDLORD_KINDS }) @IsIn(LANDLORD_KINDS) kind: LandlordKind;
  @ApiProperty() @IsEmail() @MaxLength(254) email: string;
  @ApiProperty()
  @IsString()
  @Matches(/^[0-9+() -]{6,30}$/, { message: 'phone must be a phone number' })
  phone: string;
}

export class LandlordResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: LANDLORD_KINDS }) kind: LandlordKind;
  @ApiProperty() email: string;
  @ApiProperty() phone: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class LandlordPage {
  @ApiProperty({ type: [LandlordResponse] }) items: LandlordResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

const toResponse = (l: LandlordEntity): LandlordResponse => ({
  id: l.id,
  name: l.name,
  kind: l.kind,
  email: l.email,
  phone: l.phone,
  createdAt: l.createdAt.toISOString(),
});

@Injectable()
export class LandlordsService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Principal, dto: CreateLandlordDto): Promise<LandlordResponse> {
    return this.ds.transaction(async (m) => {
      const repo = m.getRepository(LandlordEntity);
      const l = await repo.save(repo.create({ ...dto, schemeId: actor.schemeId! }));
      await this.audit.write(
        {
          schemeId: l.schemeId,
          actorId: actor.id,
          action: 'landlord.create',
          entity: 'landlord',
          entityId: l.id,
        },
        m,
      );
      return toResponse(l);
    });
  }

  async list(actor: Principal, q: PageQuery): Promise<Page<LandlordResponse>> {
    const limit = q.limit ?? 50;
    const cursor = decodeCursor(q.cursor);
    const qb = this.ds
      .getRepository(LandlordEntity)
      .createQueryBuilder('l')
      .where('l.scheme_id = :s', { s: actor.schemeId })
      .orderBy('l.created_at', 'DESC')
      .addOrderBy('l.id', 'DESC')
      .limit(limit + 1);
    if (cursor) qb.andWhere('(l.created_at, l.id) < (:at, :id)', cursor);
    return toPage(await qb.getMany(), limit, (l) => l.createdAt, toResponse);
  }
}

@ApiTags('set-up')
@ApiBearerAuth()
@Controller('landlords')
export class LandlordsController {
  constructor(private readonly landlords: LandlordsService) {}

  @Post()
  @ApiOperation({ summary: 'Add a landlord' })
  @Roles('idva', 'scheme_manager')
  @ApiCreatedResponse({ type: LandlordResponse })
  @ApiProblems(400, 401, 403)
  create(@CurrentUser() me: Principal, @Body() dto: CreateLandlordDto): Promise<LandlordResponse> {
    return this.landlords.create(me, dto);
  }

  @Get()
  @ApiOperation({ summary: 'List the scheme’s landlords' })
  @Roles('idva', 'scheme_manager')
  @ApiOkResponse({ type: LandlordPage })
  @ApiProblems(400, 401, 403)
  list(@CurrentUser() me: Principal, @Query() q: PageQuery): Promise<Page<LandlordResponse>> {
    return this.landlords.list(me, q);
  }
}
