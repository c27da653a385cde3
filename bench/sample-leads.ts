import type { LeadFacts } from '../shared/domain/routing/lead-facts';

const COUNTRIES = ['DE', 'FR', 'GB', 'ES', 'IT', 'NL', 'US', 'CA', 'BR', 'MX', 'JP', 'IN', 'AU', 'ZA'];
const TITLES = ['CTO', 'Head of Marketing', 'Engineer', 'Vice President Sales', 'Student', 'Founder', 'Analyst', undefined];
const DOMAINS = ['gmail.com', 'engines.example', 'yahoo.com', 'acme.example', 'outlook.com', 'widgets.example'];
const COMPANIES = ['Analytical Engines', 'Acme', undefined, 'Widgets Ltd'];

/** A deterministic mix of leads for benchmarks: every rule fires on some, none on others. */
export function sampleLeads(count: number): LeadFacts[] {
  let seed = 42;
  const next = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  return Array.from({ length: count }, (_, i) => {
    const fields: Record<string, string> = { email: `lead${i}@${DOMAINS[next(DOMAINS.length)]}` };
    fields.country = COUNTRIES[next(COUNTRIES.length)]!;
    const title = TITLES[next(TITLES.length)];
    if (title) fields.jobTitle = title;
    const company = COMPANIES[next(COMPANIES.length)];
    if (company) fields.company = company;
    if (next(3) === 0) fields.phone = '+49 30 1234567';
    if (next(2) === 0) fields.message = 'We would like a demo.';
    return { formId: next(4) === 0 ? 'newsletter' : 'contact', fields, emailDomain: fields.email!.split('@')[1]! };
  });
}
