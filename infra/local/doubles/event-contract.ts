import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';

const EVENTS_DIR = resolve(import.meta.dirname, '../../../docs/events');

/**
 * Checks a webhook body as a receiver would: against the JSON Schema we publish for its type
 * (docs/events). Returns the problems, none for a valid event.
 */
export function eventContract(dir = EVENTS_DIR): (event: unknown) => string[] {
  const ajv = new Ajv2020({ allErrors: true, validateFormats: false });
  const validators = new Map(
    readdirSync(dir)
      .filter((file) => file.endsWith('.json'))
      .map((file) => {
        const schema = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { properties: { type: { const: string } } };
        return [schema.properties.type.const, ajv.compile(schema)] as const;
      }),
  );
  return (event) => {
    const type = (event as { type?: unknown } | undefined)?.type;
    const validate = typeof type === 'string' ? validators.get(type) : undefined;
    if (!validate) return [`no published schema for event type ${String(type)}`];
    if (validate(event)) return [];
    return (validate.errors ?? []).map((error) => `${type}: ${error.instancePath || '(event)'} ${error.message ?? 'is invalid'}`);
  };
}
