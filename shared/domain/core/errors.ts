/** Every error a caller can act on has a stable snake_case code; the HTTP edge maps codes to statuses. */
export type ErrorCode =
  | 'validation_failed'
  | 'malformed_body'
  | 'form_not_found'
  | 'route_not_found'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'invalid_idempotency_key'
  | 'idempotency_key_reused'
  | 'origin_not_allowed'
  | 'rate_limited'
  | 'service_unavailable'
  | 'internal_error';

export class LeadgateError extends Error {
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
    this.name = 'LeadgateError';
  }
}

export const validationFailed = (fields: Record<string, string>): LeadgateError =>
  new LeadgateError('validation_failed', 'Some fields are missing or invalid.', fields);

/** A dependency (table, queue) could not be reached; the request changed nothing that a retry would duplicate. */
export const serviceUnavailable = (what: string, cause: unknown, retryAfterSeconds?: number): LeadgateError =>
  new LeadgateError('service_unavailable', `The ${what} is unavailable right now; please retry.`, undefined, {
    cause,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
