import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IsInstant } from '../common/dates.js';
import { IsNested } from '../common/validators.js';
import { PageQuery } from '../common/pagination.js';
import { MEASURE_CODES } from '../cases/dto/case.dto.js';
import { AddressView, InstallerContactView, WorkView } from '../cases/personal.response.js';

export const JOB_STATUSES = [
  'offered',
  'accepted',
  'declined',
  'completed',
  'failed',
  'cancelled',
] as const;
export const FAIL_REASONS = [
  'landlord_refused_on_site',
  'no_access',
  'service_user_declined',
  'unsafe',
  'technical',
  'other',
] as const;

export class AcceptJobDto {
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsInstant() occurredAt?: string;
  @ApiProperty({ format: 'date-time' }) @IsInstant() scheduledFor: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

export class DeclineJobDto {
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsInstant() occurredAt?: string;
  @ApiProperty() @IsString() @MaxLength(2000) reason: string;
}

export class InstalledMeasureDto {
  @ApiProperty({ enum: MEASURE_CODES }) @IsIn(MEASURE_CODES) code: string;
  @ApiProperty() @IsInt() @Min(1) @Max(100) quantity: number;
}

export class CompleteJobDto {
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsInstant() occurredAt?: string;
  @ApiProperty({ type: [InstalledMeasureDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsNested(InstalledMeasureDto, { each: true })
  measuresInstalled: InstalledMeasureDto[];
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) notes?: string;
}

export class FailJobDto {
  @ApiProperty({ enum: FAIL_REASONS }) @IsIn(FAIL_REASONS) reason: (typeof FAIL_REASONS)[number];
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) notes?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsInstant() occurredAt?: string;
}

export class ListJobsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: JOB_STATUSES }) @IsOptional() @IsIn(JOB_STATUSES) status?: string;
}

export class JobResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() caseReference: string;
  @ApiProperty({ enum: JOB_STATUSES }) status: string;
  @ApiProperty({ enum: ['standard', 'emergency'] }) priority: string;
  @ApiProperty({ format: 'date-time' }) confirmBy: string;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) scheduledFor:
    string | null;
  @ApiProperty({ type: [WorkView] }) measures: WorkView[];
  @ApiPropertyOptional({
    nullable: true,
    type: AddressView,
    description: 'installers see it only while the job is offered or accepted',
  })
  address: AddressView | null;
  @ApiPropertyOptional({ nullable: true, type: String }) accessNotes: string | null;
  @ApiPropertyOptional({ nullable: true, type: InstallerContactView })
  safeContact: InstallerContactView | null;
  @ApiProperty() version: number;
  @ApiPropertyOptional({ format: 'uuid' }) caseId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) contractorId?: string;
  @ApiProperty() chaseCount: number;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) lastChasedAt:
    string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) escalatedAt:
    string | null;
  @ApiPropertyOptional({ nullable: true, type: [InstalledMeasureDto] })
  measuresInstalled: InstalledMeasureDto[] | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) completedAt:
    string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) outcomeReason: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class JobPage {
  @ApiProperty({ type: [JobResponse] }) items: JobResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
