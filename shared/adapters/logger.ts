import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { stackFrames } from './source-mapped-stack';

/** Keys whose values are personal data whatever they hold. */
const PERSONAL_KEYS =
  /^(email|e-?mail|to|from|name|firstname|lastname|fullname|phone|tel|mobile|message|address|ip|sourceip|useragent|company|jobtitle|fields)$/i;
const EMAIL = /[^\s@"'<>,;]+@[^\s@"'<>,;]+\.[^\s@"'<>,;]+/g;
const PHONE = /(?<![\w-])\+?\d[\d ().]{6,}\d(?![\w-])/g;

/** Masks what looks like personal data anywhere in a log value. */
export function maskPersonalData(value: unknown, key = ''): unknown {
  if (PERSONAL_KEYS.test(key) && value !== null && value !== undefined) return '[redacted]';
  if (typeof value === 'string') return value.replace(EMAIL, '[email]').replace(PHONE, '[number]');
  if (Array.isArray(value)) return value.map((item) => maskPersonalData(item));
  // Its name and where it was thrown: a message may quote input that no pattern above recognises.
  if (value instanceof Error) return { name: value.name, frames: stackFrames(value) };
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskPersonalData(v, k)]));
  }
  return value;
}

/**
 * Powertools' JSON layout, with personal data masked: a second line of defence behind the rule
 * that code never logs it (a test scans every log line of a full pipeline run for seeded data).
 */
class MaskingLogFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const item = new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: maskPersonalData(attributes.message) as string,
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        ...(attributes.lambdaContext ? { function_request_id: attributes.lambdaContext.awsRequestId, cold_start: attributes.lambdaContext.coldStart } : {}),
        ...(attributes.xRayTraceId ? { xray_trace_id: attributes.xRayTraceId } : {}),
      },
    });
    item.addAttributes(maskPersonalData(additional) as LogAttributes);
    return item;
  }
}

/** The service name is the function's service-name variable (VARIABLES.serviceName) (infra/topology.ts); tools pass their own. */
export const createLogger = (serviceName?: string): Logger => new Logger({ ...(serviceName ? { serviceName } : {}), logFormatter: new MaskingLogFormatter() });
