import type { LocalRoute } from './http-gateway';

/**
 * POST /_local/ses-events: local runtime only. Takes the SES event JSON that the configuration
 * set publishes (a Bounce or a Complaint) and puts it on the events queue, as SNS does with raw
 * message delivery; the queue's consumer handles it, retries it and dead-letters it as in AWS.
 */
export function sesEventsRoute(publish: (message: string) => Promise<void>): LocalRoute {
  return {
    method: 'POST',
    path: '/_local/ses-events',
    async handle(_request, body) {
      const message = body.toString('utf8');
      try {
        JSON.parse(message);
      } catch {
        return { status: 400, body: JSON.stringify({ error: { code: 'malformed_body', message: 'Send the SES event as JSON.' } }) };
      }
      await publish(message);
      return { status: 202, body: JSON.stringify({ published: true }) };
    },
  };
}
