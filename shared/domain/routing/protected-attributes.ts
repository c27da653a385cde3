/**
 * Protected and sensitive attributes, and known proxies for them, that no scoring or routing
 * rule may read. Field names are split into words (camelCase, snake_case, kebab-case) so that
 * `ageRange` is caught and `message` (which contains "age") is not.
 */
const WORDS = new Set([
  'age',
  'dob',
  'birthday',
  'birthdate',
  'gender',
  'sex',
  'race',
  'racial',
  'ethnicity',
  'ethnic',
  'religion',
  'religious',
  'faith',
  'health',
  'medical',
  'disability',
  'disabled',
  'orientation',
  'marital',
  'pregnancy',
  'pregnant',
  'nationality',
  'citizenship',
  'zip',
  'zipcode',
  'postcode',
]);
const COMPOUNDS = ['dateofbirth', 'birthyear', 'sexualorientation', 'maritalstatus', 'firstname', 'givenname', 'forename', 'postalcode'];

export function isProtectedAttribute(fieldName: string): boolean {
  const words = fieldName
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const joined = words.join('');
  return words.some((word) => WORDS.has(word)) || COMPOUNDS.some((compound) => joined.includes(compound));
}
