import * as z from 'zod/mini';
import { eventSchema } from './catalogue';
import { type DestinationEventType, EVENT_VERSION } from './event-types';

/** The JSON Schema (draft 2020-12) of one event type, as published in docs/events/. */
export function eventJsonSchema(type: DestinationEventType): Record<string, unknown> {
  return {
    $id: `https://leadgate.dev/events/${type}.v${EVENT_VERSION}.json`,
    title: `${type} (version ${EVENT_VERSION})`,
    ...z.toJSONSchema(eventSchema(type)),
  } as Record<string, unknown>;
}
