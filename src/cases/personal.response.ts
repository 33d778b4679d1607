// The shapes of personal data and works in answers, documented field by field so the served
// OpenAPI document shows exactly what each audience gets (and a test can hold the code to it).
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MEASURE_CODES } from './dto/case.dto.js';

export class AddressView {
  @ApiProperty() line1: string;
  @ApiPropertyOptional() line2?: string;
  @ApiProperty() town: string;
  @ApiProperty() postcode: string;
}

export class SafeContactView {
  @ApiProperty() canCall: boolean;
  @ApiProperty() canText: boolean;
  @ApiProperty() canLeaveVoicemail: boolean;
  @ApiPropertyOptional() safeTimes?: string;
  @ApiPropertyOptional() codeWord?: string;
}

export class ServiceUserView {
  @ApiProperty() name: string;
  @ApiProperty({ format: 'date' }) dateOfBirth: string;
  @ApiProperty() gender: string;
  @ApiPropertyOptional() phone?: string;
  @ApiPropertyOptional({ type: SafeContactView }) safeContact?: SafeContactView;
}

export class HouseholdView {
  @ApiProperty() adults: number;
  @ApiProperty({ type: [Number] }) childrenAges: number[];
}

/** A measure as surveyed, with its estimated cost (staff only). */
export class MeasureView {
  @ApiProperty({ enum: MEASURE_CODES }) code: string;
  @ApiProperty() quantity: number;
  @ApiPropertyOptional() location?: string;
  @ApiProperty() estimatedCost: number;
}

/** A measure as installers and landlords see it: what and where, no cost. */
export class WorkView {
  @ApiProperty({ enum: MEASURE_CODES }) code: string;
  @ApiProperty() quantity: number;
  @ApiPropertyOptional() location?: string;
}

/** How an installer may contact the service user: never the code word. */
export class InstallerContactView {
  @ApiProperty() canCall: boolean;
  @ApiProperty() canText: boolean;
  @ApiProperty() canLeaveVoicemail: boolean;
  @ApiProperty({ nullable: true, type: String }) safeTimes: string | null;
  @ApiProperty({ nullable: true, type: String }) phone: string | null;
}
