import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const LANDLORD_KINDS = ['council', 'housing_association', 'private'] as const;
export type LandlordKind = (typeof LANDLORD_KINDS)[number];

@Entity({ name: 'landlords' })
export class LandlordEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid', name: 'scheme_id' })
  schemeId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  kind: LandlordKind;

  @Column({ type: 'text' })
  email: string;

  @Column({ type: 'text' })
  phone: string;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt: Date;
}
