import { OPEN_STATUSES, type OpenStatus } from '../cases/case-state-machine.js';
import {
  CHARACTERISTICS,
  DECLINE_REASONS,
  EXIT_REASONS,
  GENDERS,
  SUPPORT_TYPES,
  TENURES,
  UNSUCCESSFUL_REASONS,
} from '../cases/codes.js';

// The codes the workflow stores on a case that the reports count, in the order reports list them.
// A code the reports do not know is counted as "other" where the list has one, so a new reason
// never silently disappears from a total.

// The open stages are the case state machine's open statuses, in lifecycle order: a new status
// appears in the pipeline report without a second list to keep in step.
export const OPEN_STAGES: readonly OpenStage[] = OPEN_STATUSES;
export type OpenStage = OpenStatus;

export { DECLINE_REASONS, EXIT_REASONS, GENDERS, SUPPORT_TYPES, TENURES, UNSUCCESSFUL_REASONS };
export type Tenure = (typeof TENURES)[number];
/** Typed on the referral; "male", "aged 16–25" and "aged 65+" are derived from gender and age. */
export const RECORDED_CHARACTERISTICS = CHARACTERISTICS;

export const APPROVAL_KINDS = ['landlord_consent', 'cost', 'survey'] as const;
