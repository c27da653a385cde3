import { randomBytes } from 'node:crypto';
import type { LeadgateConfig } from '../../../shared/config/schema';
import type { DestinationSettings } from '../../../shared/domain/core/settings';
import { parseDuration } from '../clock-route';
import type { LocalRoute } from '../http-gateway';
import type { DestinationDoubles, ReceivedRequest } from './destination-doubles';

/** The variable a destination's local secret may come from, e.g. LEADGATE_DESTINATION_SECRET_CRM. */
export const destinationSecretVariable = (destinationId: string): string => `LEADGATE_DESTINATION_SECRET_${destinationId.toUpperCase().replaceAll('-', '_')}`;

/**
 * Each destination's secret in the local runtime: given, or from its variable, or made up (a
 * Standard Webhooks `whsec_` key, a HubSpot-like token). Slack's secret is its webhook URL: the
 * local Slack double's, set by withLocalDestinations' caller.
 */
export function localDestinationSecrets(
  destinations: Record<string, DestinationSettings>,
  given: Record<string, string> = {},
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(destinations).map(([id, destination]) => {
      const value = given[id] ?? env[destinationSecretVariable(id)];
      if (value) return [id, value];
      if (destination.type === 'webhook') return [id, `whsec_${randomBytes(24).toString('base64')}`];
      if (destination.type === 'hubspot') return [id, `pat-local-${randomBytes(16).toString('hex')}`];
      return [id, ''];
    }),
  );
}

const isLoopback = (url: string | undefined) => url !== undefined && ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);

/**
 * The configuration the local functions run with: every destination that points off this machine
 * points at its local double instead (a webhook at the sink, HubSpot at the HubSpot double), so
 * `npm start` never calls out. Slack's URL is its secret; the caller sets that to the Slack double.
 */
export function withLocalDestinations(config: LeadgateConfig, doubles: DestinationDoubles): LeadgateConfig {
  const destinations = Object.fromEntries(
    Object.entries(config.destinations).map(([id, destination]) => {
      if (destination.type === 'slack' || isLoopback(destination.url)) return [id, destination];
      return [id, { ...destination, url: doubles.endpoint(id, destination.type) }];
    }),
  );
  return { ...config, destinations };
}

/** Slack's secret (its webhook URL) points at the local Slack double unless one was given. */
export function slackSecrets(config: LeadgateConfig, secrets: Record<string, string>, doubles: DestinationDoubles): Record<string, string> {
  return Object.fromEntries(
    Object.entries(secrets).map(([id, value]) => [id, config.destinations[id]?.type === 'slack' && !value ? doubles.endpoint(id, 'slack') : value]),
  );
}

/**
 * POST /_local/destinations/{id}/fail {"for": "10m", "status": 503}: local runtime only. The
 * destination's double fails every request for that long, to watch the retries (and {"for": "0m"}
 * ends it).
 */
export function destinationFailRoute(destinationId: string, doubles: DestinationDoubles): LocalRoute {
  return {
    method: 'POST',
    path: `/_local/destinations/${destinationId}/fail`,
    async handle(_request, body) {
      let request: { for?: unknown; status?: unknown } = {};
      try {
        request = JSON.parse(body.toString('utf8') || '{}') as typeof request;
      } catch {
        request = {};
      }
      const ms = parseDuration(request.for) ?? (request.for === '0m' ? 0 : undefined);
      const status = request.status === undefined ? 503 : Number(request.status);
      if (ms === undefined || !Number.isInteger(status) || status < 400 || status > 599) {
        return {
          status: 400,
          body: JSON.stringify({
            error: {
              code: 'validation_failed',
              message: 'Send {"for": "<n><m|h|d>", "status": 4xx or 5xx}, e.g. {"for": "10m"}.',
              fields: { for: 'expected a duration such as 10m', status: 'expected an HTTP error status (default 503)' },
            },
          }),
        };
      }
      doubles.setOutage(destinationId, ms ? { until: Date.now() + ms, status } : undefined);
      return { status: 200, body: JSON.stringify({ destination: destinationId, failingUntil: new Date(Date.now() + ms).toISOString(), status }) };
    },
  };
}

/** GET /_local/destinations: what the local destinations received (the demo page shows it). */
export function destinationsViewRoute(received: () => ReceivedRequest[]): LocalRoute {
  return {
    method: 'GET',
    path: '/_local/destinations',
    async handle() {
      return { status: 200, body: JSON.stringify({ received: received().slice(-100) }) };
    },
  };
}
