import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { IsCalendarDate, IsInstant } from '../../common/dates.js';
import { IsAmount, IsOmittable, IsNested } from '../../common/validators.js';
import { PageQuery } from '../../common/pagination.js';
import { CASE_STATUSES } from '../case-state-machine.js';
import {
  GENDERS,
  TENURES,
  RISK_LEVELS,
  REFERRAL_SOURCES,
  CHARACTERISTICS,
  PRIORITIES,
  DECLINE_REASONS,
  CANCEL_REASONS,
  UNSUCCESSFUL_REASONS,
  EXIT_KINDS,
  EXIT_REASONS,
  SUPPORT_TYPES,
  MEASURE_CODES,
} from '../codes.js';

// The code lists are part of this module's public surface.
export * from '../codes.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class SafeContactDto {
  @ApiProperty() @IsBoolean() canCall: boolean;
  @ApiProperty() @IsBoolean() canText: boolean;
  @ApiProperty() @IsBoolean() canLeaveVoicemail: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) safeTimes?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) codeWord?: string;
}

export class ServiceUserDto {
  @ApiProperty() @Transform(trim) @IsString() @MinLength(1) @MaxLength(200) name: string;
  @ApiProperty({ example: '1990-01-31', format: 'date' }) @IsCalendarDate() dateOfBirth: string;
  @ApiProperty({ enum: GENDERS }) @IsIn(GENDERS) gender: (typeof GENDERS)[number];
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(/^[0-9+() -]{6,30}$/, { message: 'phone must be a phone number' })
  phone?: string;
  @ApiPropertyOptional({ type: SafeContactDto })
  @IsOptional()
  @IsNested(SafeContactDto)
  safeContact?: SafeContactDto;
}

export class AddressDto {
  @ApiProperty() @Transform(trim) @IsString() @MinLength(1) @MaxLength(200) line1: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) line2?: string;
  @ApiProperty() @Transform(trim) @IsString() @MinLength(1) @MaxLength(100) town: string;
  @ApiProperty({ example: 'CV1 2AB' })
  @Transform(trim)
  @IsString()
  @Matches(/^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}$/, {
    message: 'postcode must be a UK postcode',
  })
  postcode: string;
}

export class HouseholdDto {
  @ApiProperty() @IsInt() @Min(1) @Max(20) adults: number;
  @ApiProperty({ type: [Number] })
  @IsArray()
  @ArrayMaxSize(20)
  @IsInt({ each: true })
  @Min(0, { each: true })
  @Max(17, { each: true })
  childrenAges: number[];
}

export class CreateCaseDto {
  @ApiProperty({ type: ServiceUserDto })
  @IsNested(ServiceUserDto)
  serviceUser: ServiceUserDto;
  @ApiProperty({ type: AddressDto }) @IsNested(AddressDto) address: AddressDto;
  @ApiProperty({ type: HouseholdDto })
  @IsNested(HouseholdDto)
  household: HouseholdDto;
  @ApiProperty({ enum: TENURES }) @IsIn(TENURES) tenure: (typeof TENURES)[number];
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() landlordId?: string;
  @ApiProperty({ enum: RISK_LEVELS }) @IsIn(RISK_LEVELS) riskLevel: (typeof RISK_LEVELS)[number];
  @ApiProperty() @IsBoolean() maracReferred: boolean;
  @ApiProperty() @IsBoolean() perpetratorLivesAtProperty: boolean;
  @ApiProperty() @IsBoolean() serviceUserConsents: boolean;
  @ApiProperty({ enum: REFERRAL_SOURCES })
  @IsIn(REFERRAL_SOURCES)
  referralSource: (typeof REFERRAL_SOURCES)[number];
  @ApiProperty({ example: '2026-10-01', format: 'date' }) @IsCalendarDate() referralDate: string;
  @ApiPropertyOptional({ enum: CHARACTERISTICS, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(CHARACTERISTICS, { each: true })
  characteristics?: (typeof CHARACTERISTICS)[number][];
  @ApiProperty({ enum: PRIORITIES }) @IsIn(PRIORITIES) priority: (typeof PRIORITIES)[number];
  @ApiPropertyOptional({
    description:
      'How installers get in: kept encrypted, shown to the installer while the job is live',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  accessNotes?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) note?: string;
}

export class PatchCaseDto {
  @ApiPropertyOptional({ type: ServiceUserDto })
  @IsOmittable()
  @IsNested(ServiceUserDto)
  serviceUser?: ServiceUserDto;
  @ApiPropertyOptional({ type: AddressDto })
  @IsOmittable()
  @IsNested(AddressDto)
  address?: AddressDto;
  @ApiPropertyOptional({ type: HouseholdDto })
  @IsOmittable()
  @IsNested(HouseholdDto)
  household?: HouseholdDto;
  @ApiPropertyOptional({ enum: TENURES })
  @IsOmittable()
  @IsIn(TENURES)
  tenure?: (typeof TENURES)[number];
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @IsUUID()
  landlordId?: string;
  @ApiPropertyOptional({ enum: RISK_LEVELS })
  @IsOmittable()
  @IsIn(RISK_LEVELS)
  riskLevel?: (typeof RISK_LEVELS)[number];
  @ApiPropertyOptional() @IsOmittable() @IsBoolean() maracReferred?: boolean;
  @ApiPropertyOptional({ enum: CHARACTERISTICS, isArray: true })
  @IsOmittable()
  @IsArray()
  @ArrayUnique()
  @IsIn(CHARACTERISTICS, { each: true })
  characteristics?: (typeof CHARACTERISTICS)[number][];
  @ApiPropertyOptional({ enum: PRIORITIES })
  @IsOmittable()
  @IsIn(PRIORITIES)
  priority?: (typeof PRIORITIES)[number];
  @ApiPropertyOptional() @IsOmittable() @IsString() @MaxLength(1000) accessNotes?: string;
  @ApiPropertyOptional({
    description: 'Only named staff (and scheme managers) may open a restricted case',
  })
  @IsOmittable()
  @IsBoolean()
  restricted?: boolean;
  @ApiPropertyOptional({ type: [String], format: 'uuid' })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID(undefined, { each: true })
  restrictedTo?: string[];
  @ApiPropertyOptional({ format: 'uuid' }) @IsOmittable() @IsUUID() assignedTo?: string;
}

export class ListCasesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CASE_STATUSES }) @IsOptional() @IsIn(CASE_STATUSES) status?: string;
  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  overdue?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() assignedTo?: string;
  @ApiPropertyOptional({ enum: PRIORITIES }) @IsOptional() @IsIn(PRIORITIES) priority?: string;
  @ApiPropertyOptional({ enum: ['names'] }) @IsOptional() @IsIn(['names']) include?: string;
  @ApiPropertyOptional({ description: 'exact postcode, searched through its keyed hash' })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  postcode?: string;
}

/** Common to every action endpoint. */
export class ActionDto {
  @ApiPropertyOptional({
    description:
      'When it happened (defaults to now); never in the future or before the previous event',
    format: 'date-time',
  })
  @IsOptional()
  @IsInstant()
  occurredAt?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) note?: string;
}

export class DeclineDto extends ActionDto {
  @ApiProperty({ enum: DECLINE_REASONS, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(DECLINE_REASONS, { each: true })
  reasons: (typeof DECLINE_REASONS)[number][];
}

export class BookSurveyDto extends ActionDto {
  @ApiProperty({ format: 'date-time' }) @IsInstant() scheduledFor: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) surveyor: string;
}

export class MeasureDto {
  @ApiProperty({ enum: MEASURE_CODES }) @IsIn(MEASURE_CODES) code: (typeof MEASURE_CODES)[number];
  @ApiProperty() @IsInt() @Min(1) @Max(100) quantity: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) location?: string;
  @ApiProperty()
  @IsAmount()
  @Min(0)
  @Max(100000)
  estimatedCost: number;
}

export class SurveyResultDto extends ActionDto {
  @ApiProperty({ type: [MeasureDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsNested(MeasureDto, { each: true })
  measures: MeasureDto[];
}

export class CancelDto extends ActionDto {
  @ApiProperty({ enum: CANCEL_REASONS })
  @IsIn(CANCEL_REASONS)
  reason: (typeof CANCEL_REASONS)[number];
}

export class UnsuccessfulDto extends ActionDto {
  @ApiProperty({ enum: UNSUCCESSFUL_REASONS })
  @IsIn(UNSUCCESSFUL_REASONS)
  reason: (typeof UNSUCCESSFUL_REASONS)[number];
}

export class ReviewDto extends ActionDto {
  @ApiProperty({ minimum: 1, maximum: 10 }) @IsInt() @Min(1) @Max(10) feelsSafer: number;
  @ApiProperty() @IsInt() @Min(0) @Max(1000) incidentsSinceInstall: number;
  @ApiProperty() @IsBoolean() resumedRelationship: boolean;
}

export class CloseDto extends ActionDto {
  @ApiProperty({ enum: EXIT_KINDS }) @IsIn(EXIT_KINDS) exit: (typeof EXIT_KINDS)[number];
  @ApiProperty({ enum: EXIT_REASONS, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(EXIT_REASONS, { each: true })
  reasons: (typeof EXIT_REASONS)[number][];
  @ApiProperty({ enum: SUPPORT_TYPES, isArray: true })
  @IsArray()
  @ArrayUnique()
  @IsIn(SUPPORT_TYPES, { each: true })
  supportTypes: (typeof SUPPORT_TYPES)[number][];
}

export class OrderInstallDto extends ActionDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() contractorId: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() emergency?: boolean;
  @ApiPropertyOptional({ description: 'Who gave verbal permission (emergency route)' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  verbalPermissionFrom?: string;
}
