/**
 * Email templates: `{{field}}` or `{{field | fallback}}`, filled from a lead's declared fields.
 * Nothing else is evaluated: no expressions, no helpers, no access to anything but the fields.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*(?:\|([^}]*))?\}\}/g;

export function templateFields(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1] as string);
}

export function renderTemplate(template: string, fields: Readonly<Record<string, string>>, escapeValue: (text: string) => string = (text) => text): string {
  return template.replace(PLACEHOLDER, (_, name: string, fallback: string | undefined) =>
    escapeValue(Object.hasOwn(fields, name) ? (fields[name] as string) : (fallback ?? '').trim()),
  );
}
