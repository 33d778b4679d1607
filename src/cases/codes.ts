// The code lists of a case, in one place: request validation and the reports both read them.
// Pure: no Nest or TypeORM imports.
export const GENDERS = ['female', 'male', 'trans_or_non_binary', 'not_known'] as const;
export const TENURES = [
  'council',
  'housing_association',
  'private_rented',
  'owner_occupier',
  'other',
] as const;
export const RISK_LEVELS = ['standard', 'medium', 'high'] as const;
export const REFERRAL_SOURCES = [
  'idva',
  'police',
  'housing',
  'social_care',
  'health',
  'self',
  'other',
] as const;
export const CHARACTERISTICS = [
  'black_minoritised',
  'disabled',
  'lgbtq',
  'mental_health',
  'drug',
  'alcohol',
  'ex_offender',
] as const;
export const PRIORITIES = ['standard', 'emergency'] as const;
export const DECLINE_REASONS = [
  'no_capacity',
  'unable_to_contact',
  'declined_support',
  'needs_not_met',
  'not_eligible',
  'other',
] as const;
export const CANCEL_REASONS = [
  'withdrew',
  'moved',
  'no_contact',
  'perpetrator_returned',
  'other',
] as const;
export const UNSUCCESSFUL_REASONS = [
  'landlord_refusal',
  'consent_timeout',
  'cannot_fit',
  'other',
] as const;
export const EXIT_KINDS = ['planned', 'unplanned'] as const;
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
export const MEASURE_CODES = [
  'door_replacement',
  'door_reinforcement',
  'lock_change',
  'door_chain',
  'door_viewer',
  'window_locks',
  'window_alarm',
  'fire_retardant_letterbox',
  'letterbox_guard',
  'external_lighting',
  'video_doorbell',
  'intercom',
  'cctv',
  'personal_alarm',
  'smoke_alarm',
  'fire_safety_equipment',
  'sanctuary_room',
  'other',
] as const;
