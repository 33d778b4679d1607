// The codes the workflow stores on a case that the reports count, in the order reports list them.
// A code the reports do not know is counted as "other" where the list has one, so a new reason
// never silently disappears from a total.
export const OPEN_STAGES = [
  'referred',
  'accepted',
  'survey_booked',
  'surveyed',
  'awaiting_consent',
  'install_ordered',
  'install_scheduled',
  'in_support',
] as const;
export type OpenStage = (typeof OPEN_STAGES)[number];

export const TENURES = [
  'council',
  'housing_association',
  'private_rented',
  'owner_occupier',
  'other',
] as const;
export type Tenure = (typeof TENURES)[number];

export const UNSUCCESSFUL_REASONS = [
  'landlord_refusal',
  'consent_timeout',
  'cannot_fit',
  'other',
] as const;

export const GENDERS = ['female', 'male', 'trans_or_non_binary', 'not_known'] as const;

/** Typed on the referral; "male", "aged 16–25" and "aged 65+" are derived from gender and age. */
export const RECORDED_CHARACTERISTICS = [
  'black_minoritised',
  'disabled',
  'lgbtq',
  'mental_health',
  'drug',
  'alcohol',
  'ex_offender',
] as const;

export const DECLINE_REASONS = [
  'no_capacity',
  'unable_to_contact',
  'declined_support',
  'needs_not_met',
  'not_eligible',
  'other',
] as const;

export const EXIT_REASONS = [
  'support_completed',
  'moved_other_safe_accommodation',
  'moved_in_with_perpetrator',
  'resumed_relationship',
  'asked_to_leave',
  'disengaged',
  'moved_away',
  'other',
] as const;

export const SUPPORT_TYPES = [
  'advocacy',
  'prevention_advice',
  'specialist',
  'general',
  'housing_related',
  'advice',
  'children',
] as const;

export const APPROVAL_KINDS = ['landlord_consent', 'cost', 'survey'] as const;
