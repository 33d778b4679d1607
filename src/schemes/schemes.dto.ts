import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { IsAmount, IsOmittable, IsNested } from '../common/validators.js';

export class CreateSchemeDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) name: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) localAuthority: string;
}

export class JobConfirmHoursDto {
  @ApiProperty() @IsInt() @Min(1) @Max(24 * 30) standard: number;
  @ApiProperty() @IsInt() @Min(1) @Max(24 * 30) emergency: number;
}

export class SettingsDto {
  @ApiProperty() consentDueWorkingDays: number;
  @ApiProperty() chaseEveryWorkingDays: number;
  @ApiProperty() maxChases: number;
  @ApiProperty() costApprovalThreshold: number;
  @ApiProperty({ type: JobConfirmHoursDto }) jobConfirmHours: JobConfirmHoursDto;
  @ApiProperty({ type: [Number] }) reviewOffsetsDays: number[];
}

export class PatchSettingsDto {
  @ApiPropertyOptional() @IsOmittable() @IsInt() @Min(1) @Max(60) consentDueWorkingDays?: number;
  @ApiPropertyOptional() @IsOmittable() @IsInt() @Min(1) @Max(60) chaseEveryWorkingDays?: number;
  @ApiPropertyOptional() @IsOmittable() @IsInt() @Min(0) @Max(20) maxChases?: number;
  @ApiPropertyOptional()
  @IsOmittable()
  @IsAmount()
  @Min(0)
  @Max(1_000_000)
  costApprovalThreshold?: number;
  @ApiPropertyOptional({ type: JobConfirmHoursDto })
  @IsOmittable()
  @IsNested(JobConfirmHoursDto)
  jobConfirmHours?: JobConfirmHoursDto;
  @ApiPropertyOptional({ type: [Number] })
  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(3650, { each: true })
  reviewOffsetsDays?: number[];
}

export class SchemeResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() localAuthority: string;
  @ApiProperty({ type: SettingsDto }) settings: SettingsDto;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}
