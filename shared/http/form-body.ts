import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LeadgateError } from '../domain/core/errors';
import type { RawBody } from '../domain/capture/submission';

export const MAX_BODY_BYTES = 16 * 1024;

const JSON_TYPE = 'application/json';
/** Refuses invalid UTF-8 instead of replacing it: bytes we cannot read are not data we store. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const FORM_TYPE = 'application/x-www-form-urlencoded';

function mediaType(header: string | undefined): { type: string; charset?: string } {
  const [type = '', ...params] = (header ?? '').split(';');
  const charset = params
    .map((p) => p.trim().toLowerCase())
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  return { type: type.trim().toLowerCase(), ...(charset ? { charset } : {}) };
}

function parseUrlencoded(text: string): RawBody {
  // A prototype-less object: keys such as __proto__ stay plain data.
  const body: Record<string, string | string[]> = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    const previous = body[key];
    body[key] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return body;
}

function parseJson(text: string): RawBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new LeadgateError('malformed_body', 'The body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new LeadgateError('malformed_body', 'The body must be a JSON object.');
  }
  return parsed as RawBody;
}

/**
 * Reads a form submission body: JSON or urlencoded, UTF-8, at most 16 KiB. Written here rather
 * than with middy's body parsers because those answer malformed JSON with 415 (it is a 400),
 * have no size limit, and need chaining to accept two media types.
 */
export function readFormBody(event: APIGatewayProxyEventV2): RawBody {
  const { type, charset } = mediaType(event.headers['content-type']);
  if (type !== JSON_TYPE && type !== FORM_TYPE) {
    throw new LeadgateError('unsupported_media_type', `Send the form as ${FORM_TYPE} or ${JSON_TYPE}${type ? `, not ${type.slice(0, 100)}` : ''}.`);
  }
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw new LeadgateError('unsupported_media_type', 'Send the form encoded as UTF-8.');
  }
  const raw = event.body === undefined ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  if (raw.byteLength > MAX_BODY_BYTES) {
    throw new LeadgateError('payload_too_large', `The body is ${raw.byteLength} bytes; the limit is ${MAX_BODY_BYTES}.`);
  }
  // API Gateway hands a text body over already decoded, invalid bytes replaced by U+FFFD: that
  // character, like bytes that do not decode, means the body was not UTF-8.
  let text: string | undefined;
  try {
    text = UTF8.decode(raw);
  } catch {
    text = undefined;
  }
  if (text === undefined || text.includes('\uFFFD')) {
    throw new LeadgateError('unsupported_media_type', 'The body is not valid UTF-8; send the form encoded as UTF-8.');
  }
  return type === JSON_TYPE ? parseJson(text) : parseUrlencoded(text);
}
