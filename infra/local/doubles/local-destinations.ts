import { randomBytes } from 'node:crypto';
import { isLoopback, type LeadgateConfig } from '../../../shared/config/schema';
import type { DestinationSettings } from '../../../shared/domain/core/settings';
import { parseDuration } from '../clock-route';
import type { LocalRoute } from '../http-gateway';
import { html, trusted } from '../../../shared/email/html';
import { page } from '../../../shared/http/html';
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

/**
 * The configuration the local functions run with: every destination that points off this machine
 * points at its local double instead (a webhook at the sink, HubSpot at the HubSpot double), so
 * `npm start` never calls out. Slack's URL is its secret; the caller sets that to the Slack double.
 */
export function withLocalDestinations(config: LeadgateConfig, doubles: DestinationDoubles): LeadgateConfig {
  const destinations = Object.fromEntries(
    Object.entries(config.destinations).map(([id, destination]) => {
      if (destination.type === 'slack' || (destination.url !== undefined && isLoopback(new URL(destination.url)))) return [id, destination];
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

/** The local destinations' page: every request each received, newest first, with its headers, body, signature check and contract problems. */
export function destinationsPage(received: readonly ReceivedRequest[], destinationIds: readonly string[]): string {
  const rows = [...received].reverse().map(
    (r) => html`<tr><td>${r.at.slice(11, 19)}</td><td>${r.destination} (${r.kind})</td><td>${r.path}</td><td>${r.status}</td>
<td>${r.verified === undefined ? '' : r.verified ? 'signature verifies' : 'SIGNATURE DOES NOT VERIFY'}${r.problems.length ? html`<br>Contract: ${r.problems.join('; ')}` : ''}</td>
<td><details><summary>Request</summary><pre>${Object.entries(r.headers)
      .filter(([name]) => name.startsWith('webhook-') || name === 'content-type' || name === 'user-agent')
      .map(([name, value]) => `${name}: ${value}`)
      .join('\n')}\n\n${r.body}</pre></details></td></tr>\n`,
  );
  return page(
    'Destinations (local)',
    html`<h1>Destinations, locally</h1>
<p>What the local webhook sink, HubSpot and Slack received, newest first; this page reloads every 5 seconds. <a href="/">Back to the forms</a>.
To watch retries, make one fail for a while: <code>curl -X POST http://127.0.0.1:3000/_local/destinations/ID/fail -H 'content-type: application/json' -d '{"for":"2m"}'</code> (destinations: ${destinationIds.join(', ') || 'none configured'}).</p>
${
  rows.length
    ? html`<table><thead><tr><th>Time</th><th>Destination</th><th>Path</th><th>Answer</th><th>Checks</th><th>Request</th></tr></thead><tbody>${rows}</tbody></table>`
    : html`<p>Nothing received yet: submit a form that asks for sales contact.</p>`
}`,
    trusted('<meta http-equiv="refresh" content="5">'),
  );
}

/** GET /_local/destinations: the page above (JSON with Accept: application/json, for scripts). */
export function destinationsViewRoute(received: () => ReceivedRequest[], destinationIds: readonly string[]): LocalRoute {
  return {
    method: 'GET',
    path: '/_local/destinations',
    async handle(request) {
      const latest = received().slice(-100);
      if ((request.headers.accept ?? '').includes('application/json')) return { status: 200, body: JSON.stringify({ received: latest }) };
      return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: destinationsPage(latest, destinationIds) };
    },
  };
}
