import { randomUUID } from 'node:crypto';
import type { SNSEvent } from 'aws-lambda';
import type { LocalRoute } from './http-gateway';

/**
 * POST /_local/ses-events: local runtime only. Takes the SES event JSON that the configuration
 * set publishes (a Bounce or a Complaint) and delivers it to the events consumer as SNS would.
 */
export function sesEventsRoute(deliver: (event: SNSEvent) => Promise<void>): LocalRoute {
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
      const now = new Date().toISOString();
      await deliver({
        Records: [
          {
            EventSource: 'aws:sns',
            EventVersion: '1.0',
            EventSubscriptionArn: 'arn:aws:sns:us-east-1:000000000000:leadgate-ses-events:local',
            Sns: {
              Type: 'Notification',
              MessageId: randomUUID(),
              TopicArn: 'arn:aws:sns:us-east-1:000000000000:leadgate-ses-events',
              Subject: '',
              Message: message,
              Timestamp: now,
              SignatureVersion: '1',
              Signature: '',
              SigningCertUrl: '',
              UnsubscribeUrl: '',
              MessageAttributes: {},
            },
          },
        ],
      });
      return { status: 202, body: JSON.stringify({ delivered: true }) };
    },
  };
}
