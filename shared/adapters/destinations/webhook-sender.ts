import { Webhook } from 'standardwebhooks';
import type { DestinationSender, Outgoing, SendResult } from '../../domain/destinations/deliver';
import { callDestination, DESTINATION_TIMEOUT_MS, resultOf, unanswered } from './destination-call';

/**
 * Standard Webhooks: the event as JSON, with webhook-id (the same on every retry of one event),
 * webhook-timestamp and webhook-signature (v1, HMAC-SHA256), signed by the standard's own library.
 */
export class WebhookSender implements DestinationSender {
  private readonly signers = new Map<string, Webhook>();

  constructor(
    private readonly secretOf: (destinationId: string) => Promise<string>,
    private readonly timeoutMs = DESTINATION_TIMEOUT_MS,
  ) {}

  private async signer(destinationId: string): Promise<Webhook> {
    const signer = this.signers.get(destinationId) ?? new Webhook(await this.secretOf(destinationId));
    this.signers.set(destinationId, signer);
    return signer;
  }

  async send({ destinationId, destination, event }: Outgoing): Promise<SendResult> {
    const payload = JSON.stringify(event);
    const timestamp = new Date();
    const signature = (await this.signer(destinationId)).sign(event.id, timestamp, payload);
    try {
      const response = await callDestination(
        destination.url as string,
        {
          'content-type': 'application/json',
          'user-agent': 'Leadgate-Webhooks/1',
          'webhook-id': event.id,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': signature,
        },
        payload,
        this.timeoutMs,
      );
      return resultOf(response);
    } catch (error) {
      return unanswered(error);
    }
  }
}
