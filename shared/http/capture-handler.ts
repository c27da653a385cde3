import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import httpContentNegotiation from '@middy/http-content-negotiation';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { captureSubmission, type CaptureDeps } from '../domain/capture';
import { LeadgateError } from '../domain/errors';
import type { ConsentReceipt } from '../domain/receipts';
import { timeTrap } from '../domain/screening';
import { parseSubmission } from '../domain/submission';
import { errorResponses, prefersHtml, type ErrorLogger } from './error-responses';
import { readFormBody } from './form-body';
import { jsonResponse, seeOther, type HttpResponse } from './responses';

export interface CaptureLogger extends ErrorLogger {
  info(message: string, extra: Record<string, unknown>): void;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function idempotencyKey(event: APIGatewayProxyEventV2): string | undefined {
  const key = event.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new LeadgateError('invalid_idempotency_key', 'Idempotency-Key must be 1-255 visible ASCII characters.');
  }
  return key;
}

/** POST /forms/{formId}/submissions: parse, call the domain, map the result (design §2). */
export function createCaptureHandler(deps: CaptureDeps, logger: CaptureLogger) {
  const accepted = (submissionId: string, context: Context, successUrl: string, consentReceipts: ConsentReceipt[]): HttpResponse =>
    prefersHtml(context) ? seeOther(successUrl) : jsonResponse(202, { submissionId, status: 'accepted', consentReceipts });

  return middy<APIGatewayProxyEventV2, HttpResponse>()
    .use(httpHeaderNormalizer())
    .use(
      httpContentNegotiation({
        parseCharsets: false,
        parseEncodings: false,
        parseLanguages: false,
        availableMediaTypes: ['application/json', 'text/html'],
        failOnMismatch: false,
      }),
    )
    .use(errorResponses(logger))
    .handler(async (event, context) => {
      const formId = event.pathParameters?.formId ?? '';
      const form = Object.hasOwn(deps.settings.forms, formId) ? deps.settings.forms[formId] : undefined;
      if (!form) throw new LeadgateError('form_not_found', `No form "${formId.slice(0, 64)}" is configured.`);
      const key = idempotencyKey(event);
      const body = readFormBody(event);
      const parsed = parseSubmission(deps.settings, formId, form, body, event.headers['sec-gpc'] === '1');
      if (parsed.kind === 'honeypot') {
        // Same answer as a real submission, so a bot cannot tell it was caught.
        logger.info('submission discarded', { formId, reason: 'honeypot' });
        return accepted(`sub_${randomUUID()}`, context, form.successUrl, []);
      }
      const screening = timeTrap(deps.settings.screening, deps.keyring, formId, body.renderedAt, deps.clock.now());
      const result = await captureSubmission(deps, { ...parsed.submission, screening }, key);
      logger.info('submission accepted', { formId, submissionId: result.submissionId, duplicate: result.duplicate });
      return accepted(result.submissionId, context, form.successUrl, result.receipts);
    });
}
