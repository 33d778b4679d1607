import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export interface SchemeSettings {
  consentDueWorkingDays: number;
  chaseEveryWorkingDays: number;
  maxChases: number;
  costApprovalThreshold: number;
  jobConfirmHours: { standard: number; emergency: number };
  reviewOffsetsDays: number[];
}

/** Defaults a new scheme starts with; a scheme manager may change them. */
export const DEFAULT_SETTINGS: SchemeSettings = {
  consentDueWorkingDays: 10,
  chaseEveryWorkingDays: 3,
  maxChases: 3,
  costApprovalThreshold: 2000,
  jobConfirmHours: { standard: 72, emergency: 4 },
  reviewOffsetsDays: [7, 91, 182],
};

/** A scheme's stored settings over the defaults (a setting never stored keeps its default). */
export function withDefaults(stored: Partial<SchemeSettings> | null | undefined): SchemeSettings {
  return { ...DEFAULT_SETTINGS, ...(stored ?? {}) };
}

@Entity({ name: 'schemes' })
export class SchemeEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', name: 'local_authority' })
  localAuthority: string;

  @Column({ type: 'jsonb' })
  settings: SchemeSettings;

  @Column({ type: 'integer', name: 'case_seq', default: 0 })
  caseSeq: number;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}
