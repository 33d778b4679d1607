import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsInstant } from '../common/dates.js';
import { PageQuery } from '../common/pagination.js';
import { AddressView, WorkView } from '../cases/personal.response.js';

export const APPROVAL_KINDS = ['landlord_consent', 'cost', 'survey'] as const;
export const APPROVAL_STATUSES = ['pending', 'granted', 'refused', 'withdrawn'] as const;

export class DecisionDto {
  @ApiProperty({ enum: ['granted', 'refused'] }) @IsIn(['granted', 'refused']) decision:
    'granted' | 'refused';
  @ApiProperty({ description: 'who decided (e.g. the landlord’s officer)' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  respondent: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) reason?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsInstant() occurredAt?: string;
}

export class ConsentDecisionDto {
  @ApiProperty({ enum: ['granted', 'refused'] }) @IsIn(['granted', 'refused']) decision:
    'granted' | 'refused';
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) reason?: string;
}

export class ListApprovalsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: APPROVAL_STATUSES })
  @IsOptional()
  @IsIn(APPROVAL_STATUSES)
  status?: string;
  @ApiPropertyOptional({ enum: APPROVAL_KINDS }) @IsOptional() @IsIn(APPROVAL_KINDS) kind?: string;
  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  overdue?: string;
}

export class ApprovalResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty() caseReference: string;
  @ApiProperty({ enum: APPROVAL_KINDS }) kind: string;
  @ApiProperty({ enum: APPROVAL_STATUSES }) status: string;
  @ApiProperty() version: number;
  @ApiProperty({ description: 'retrospective (after an emergency install)' })
  retrospective: boolean;
  @ApiPropertyOptional({ nullable: true, type: Number }) amount: number | null;
  @ApiProperty({ format: 'date-time' }) dueAt: string;
  @ApiProperty() overdue: boolean;
  @ApiProperty() chaseCount: number;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) lastChasedAt:
    string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) escalatedAt:
    string | null;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time' }) decidedAt:
    string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) respondent: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiPropertyOptional({
    description: 'the landlord’s single-use link; returned when the request is created',
  })
  consentUrl?: string;
}

export class ApprovalPage {
  @ApiProperty({ type: [ApprovalResponse] }) items: ApprovalResponse[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class ConsentViewResponse {
  @ApiProperty({ type: AddressView }) address: AddressView;
  @ApiProperty({ type: [WorkView] }) proposedWorks: WorkView[];
  @ApiProperty({ format: 'date-time' }) dueAt: string;
  @ApiProperty({ enum: APPROVAL_STATUSES }) status: string;
}
