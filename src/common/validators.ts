// Field rules class-validator does not have (or gets wrong).
import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  IsObject,
  registerDecorator,
  ValidateIf,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';

/**
 * May be left out, but not sent as null. For fields of a PATCH that cannot be cleared:
 * `@IsOptional()` lets null through, which then overwrote NOT NULL columns or scheme settings.
 */
export function IsOmittable(options?: ValidationOptions) {
  return ValidateIf((_object, value) => value !== undefined, options);
}

/**
 * A nested object (or, with `each`, a list of them) validated as its class. `@ValidateNested()`
 * alone takes an array where an object belongs — `"address": []` passed with no error to check
 * and reached the service as an array (a 500) — so the value must also be a plain object.
 */
export function IsNested(type: new () => object, options: { each?: boolean } = {}) {
  return applyDecorators(
    IsObject({ each: options.each }),
    ValidateNested({ each: options.each }),
    Type(() => type),
  );
}

/**
 * A finite number of pounds with at most two decimal places. class-validator's
 * `maxDecimalPlaces` throws on numbers JavaScript prints with an exponent (1e-9).
 */
export function IsAmount(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isAmount',
      target: object.constructor,
      propertyName,
      options: {
        message: `${propertyName} must be an amount with at most two decimal places`,
        ...options,
      },
      validator: {
        validate: (v: unknown) =>
          typeof v === 'number' && Number.isFinite(v) && Number(v.toFixed(2)) === v,
      },
    });
}
