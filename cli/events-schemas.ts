import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DESTINATION_EVENT_TYPES, EVENT_VERSION } from '../shared/domain/destinations/event-types';
import { eventJsonSchema } from '../shared/domain/destinations/event-json-schema';

/** Writes docs/events/<type>.v<version>.json from the catalogue's zod schemas (npm run events:schemas). */
export const eventSchemaFile = (type: string): string => join('docs', 'events', `${type}.v${EVENT_VERSION}.json`);
export const eventSchemaText = (type: (typeof DESTINATION_EVENT_TYPES)[number]): string => `${JSON.stringify(eventJsonSchema(type), null, 2)}\n`;

if (import.meta.main) {
  for (const type of DESTINATION_EVENT_TYPES) writeFileSync(eventSchemaFile(type), eventSchemaText(type));
  console.log(`wrote ${DESTINATION_EVENT_TYPES.length} event schemas to docs/events/`);
}
