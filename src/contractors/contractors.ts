// Contractors belong to one scheme; their installers see only the jobs offered to them.
import { Body, Controller, Get, Injectable, Post, Query } from '@nestjs/common';
import {
  ApiOperation,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { IsEmail, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { CurrentUser, Roles } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiProblems } from '../common/api-problems.js';
import { decodeCursor, PageQuery, toPage, type Page } from '../common/pagination.js';
import { ContractorEntity } from './contractor.entity.js';

export class CreateContractorDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name: string;
  @ApiProperty() @IsEmail() @MaxLength(254) email: string;
  @ApiProperty()
  @IsString()
  @Matches(/^[0-9+() -]{6,30}$/, { message: 'phone must be a phone number' })
  phone: string;
}

export class ContractorResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() email: string;
  @ApiProperty() phone: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class ContractorPage {
  @ApiProperty({ type: [ContractorResponse] }) items: ContractorResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

const toResponse = (c: ContractorEntity): ContractorResponse => ({
  id: c.id,
  name: c.name,
  email: c.email,
  phone: c.phone,
  createdAt: c.createdAt.toISOString(),
});

@Injectable()
export class ContractorsService {
  constructor(
    private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Principal, dto: CreateContractorDto): Promise<ContractorResponse> {
    return this.ds.transaction(async (m) => {
      const repo = m.getRepository(ContractorEntity);
      const c = await repo.save(repo.create({ ...dto, schemeId: actor.schemeId! }));
      await this.audit.write(
        {
          schemeId: c.schemeId,
          actorId: actor.id,
          action: 'contractor.create',
          entity: 'contractor',
          entityId: c.id,
        },
        m,
      );
      return toResponse(c);
    });
  }

  async list(actor: Principal, q: PageQuery): Promise<Page<ContractorResponse>> {
    const limit = q.limit ?? 50;
    const cursor = decodeCursor(q.cursor);
    const qb = this.ds
      .getRepository(ContractorEntity)
      .createQueryBuilder('c')
      .where('c.scheme_id = :s', { s: actor.schemeId })
      .orderBy('c.created_at', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .limit(limit + 1);
    if (cursor) qb.andWhere('(c.created_at, c.id) < (:at, :id)', cursor);
    return toPage(await qb.getMany(), limit, (c) => c.createdAt, toResponse);
  }
}

@ApiTags('set-up')
@ApiBearerAuth()
@Controller('contractors')
export class ContractorsController {
  constructor(private readonly contractors: ContractorsService) {}

  @Post()
  @ApiOperation({ summary: 'Add a contractor' })
  @Roles('scheme_manager')
  @ApiCreatedResponse({ type: ContractorResponse })
  @ApiProblems(400, 401, 403)
  create(
    @CurrentUser() me: Principal,
    @Body() dto: CreateContractorDto,
  ): Promise<ContractorResponse> {
    return this.contractors.create(me, dto);
  }

  @Get()
  @ApiOperation({ summary: 'List the scheme’s contractors' })
  @Roles('scheme_manager')
  @ApiOkResponse({ type: ContractorPage })
  @ApiProblems(400, 401, 403)
  list(@CurrentUser() me: Principal, @Query() q: PageQuery): Promise<Page<ContractorResponse>> {
    return this.contractors.list(me, q);
  }
}
