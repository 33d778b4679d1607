import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  Max,
  Min,
  registerDecorator,
  type ValidationArguments,
} from 'class-validator';
import { IsCalendarDate } from '../../common/dates.js';

const EARLIEST = '2000-01-01';
const LATEST = '2100-12-31';

/** A report date no earlier than 2000 and no later than 2100 (the years the return can be asked for). */
function IsReportDate() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isReportDate',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be between ${EARLIEST} and ${LATEST}` },
      validator: {
        validate: (v: unknown) => typeof v !== 'string' || (v >= EARLIEST && v <= LATEST),
      },
    });
}

/** `to` may not come before `from`. */
function IsOnOrAfterFrom() {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isOnOrAfterFrom',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be on or after from` },
      validator: {
        validate: (v: unknown, args: ValidationArguments) => {
          const from = (args.object as { from?: unknown }).from;
          return typeof v !== 'string' || typeof from !== 'string' || from <= v;
        },
      },
    });
}

export class PeriodQuery {
  @ApiPropertyOptional({
    example: '2025-04-01',
    description:
      'First UK date of the period (YYYY-MM-DD). Default: the start of the financial year containing `to`, or of the current financial year.',
  })
  @IsOptional()
  @IsCalendarDate()
  @IsReportDate()
  from?: string;

  @ApiPropertyOptional({
    example: '2026-03-31',
    description:
      'Last UK date of the period, inclusive (YYYY-MM-DD, on or after `from`). Default: the end of the financial year containing `from`, or of the current financial year.',
  })
  @IsOptional()
  @IsCalendarDate()
  @IsReportDate()
  @IsOnOrAfterFrom()
  to?: string;
}

export class YearQuery {
  @ApiPropertyOptional({
    minimum: 2000,
    maximum: 2100,
    example: 2025,
    description:
      'Financial year by its first calendar year: 2025 = 2025-04-01..2026-03-31. Default: the current financial year.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'year must be a whole number like 2025' })
  @Min(2000)
  @Max(2100)
  year?: number;
}
