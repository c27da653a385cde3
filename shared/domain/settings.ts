/**
 * The parts of the validated configuration the domain reads. shared/config/schema.ts produces
 * values of this shape (a compile-time check there keeps the two in step); the domain never
 * imports the schema itself.
 */
export type FieldType = 'text' | 'email' | 'tel' | 'country' | 'textarea' | 'url';

export interface FieldSettings {
  type: FieldType;
  label: string;
  required: boolean;
  maxLength?: number | undefined;
}

export interface ConsentText {
  version: string;
  text: string;
}

export interface PurposeSettings {
  description: string;
  consentText: ConsentText;
}

export interface FormSettings {
  title: string;
  fields: Record<string, FieldSettings>;
  purposes: Record<string, { required: boolean }>;
  doubleOptIn: boolean;
  retentionDays: number;
  honeypotField?: string | undefined;
  successUrl: string;
}

export interface LeadgateSettings {
  organization: { name: string; postalAddress: string; privacyNoticeUrl: string };
  sender: { fromAddress: string; fromName: string; identity: string };
  purposes: Record<string, PurposeSettings>;
  retention: { unconfirmedDays: number; withdrawnGraceDays: number };
  forms: Record<string, FormSettings>;
}
