// Shared date checks for request bodies: ISO-8601 with an offset for instants, YYYY-MM-DD for dates.
import { registerDecorator, ValidationOptions } from 'class-validator';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isInstant(v: unknown): v is string {
  // Date.parse rolls 2026-02-30 over to 2 March: the calendar date itself must exist.
  return (
    typeof v === 'string' &&
    INSTANT.test(v) &&
    isCalendarDate(v.slice(0, 10)) &&
    !Number.isNaN(Date.parse(v)) &&
    Date.parse(v) > 0
  );
}

export function isCalendarDate(v: unknown): v is string {
  if (typeof v !== 'string' || !DATE.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v && v >= '1900-01-01';
}

/** An ISO-8601 timestamp with an explicit offset (Z or ±hh:mm). */
export function IsInstant(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isInstant',
      target: object.constructor,
      propertyName,
      options: {
        message: `${propertyName} must be an ISO-8601 timestamp with an offset`,
        ...options,
      },
      validator: { validate: isInstant },
    });
}

/** A real calendar date written YYYY-MM-DD. */
export function IsCalendarDate(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be a date written YYYY-MM-DD`, ...options },
      validator: { validate: isCalendarDate },
    });
}
