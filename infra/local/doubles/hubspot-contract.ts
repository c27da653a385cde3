import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

/** HubSpot's own published description of CRM Contacts v3 (vendor/, copied from the team's vendor folder). */
export const HUBSPOT_SPEC_FILE = resolve(import.meta.dirname, '../../../vendor/hubspot-crm-contacts-v3.openapi.json');

interface Operation {
  requestBody?: { content?: { 'application/json'?: { schema?: unknown } } };
}
type Spec = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

/**
 * Checks a request against HubSpot's OpenAPI document: the path and method must be an operation
 * of the spec, and the JSON body must validate against the operation's request body schema.
 * Returns the problems, none for a valid request.
 */
export function hubspotContract(specFile = HUBSPOT_SPEC_FILE): (method: string, path: string, body: unknown) => string[] {
  const spec = JSON.parse(readFileSync(specFile, 'utf8')) as Spec;
  // OpenAPI 3.0 schemas carry keywords JSON Schema does not know (example, nullable): not strict.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: 'hubspot', components: spec.components });
  const compiled = new Map<string, ValidateFunction>();
  const operations = Object.entries(spec.paths).map(([template, methods]) => ({
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    template,
    methods,
  }));
  const rewrite = (schema: unknown): unknown => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"hubspot#/components/'));
  return (method, path, body) => {
    const match = operations.find((op) => op.pattern.test(path));
    const operation = match?.methods[method.toLowerCase()];
    if (!match || !operation) return [`${method} ${path} is not an operation of HubSpot's Contacts v3 API`];
    const schema = operation.requestBody?.content?.['application/json']?.schema;
    if (!schema) return [];
    const key = `${method} ${match.template}`;
    const validate = compiled.get(key) ?? ajv.compile(rewrite(schema) as object);
    compiled.set(key, validate);
    if (validate(body)) return [];
    return (validate.errors ?? []).map((error) => `${key}: body${error.instancePath} ${error.message ?? 'is invalid'}`);
  };
}
