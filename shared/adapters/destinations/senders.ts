import type { DestinationBinding } from '../../config/function-env';
import type { DestinationSender } from '../../domain/destinations/deliver';
import type { DestinationType } from '../../domain/core/settings';
import { loadSecret, type SecretsExtension } from '../secrets';
import { HubSpotSender } from './hubspot-sender';
import { SlackSender } from './slack-sender';
import { WebhookSender } from './webhook-sender';

/** One sender per destination type; each destination's secret is read on first use and kept for the container. */
export function destinationSenders(
  bindings: Record<string, DestinationBinding>,
  extension: SecretsExtension,
  timeoutMs?: number,
): Record<DestinationType, DestinationSender> {
  const secrets = new Map<string, Promise<string>>();
  const secretOf = (destinationId: string): Promise<string> => {
    const binding = bindings[destinationId];
    if (!binding) return Promise.reject(new Error(`destination ${destinationId} has no binding`));
    const secret = secrets.get(destinationId) ?? loadSecret(binding.secret, `secret of destination ${destinationId}`, extension);
    secrets.set(destinationId, secret);
    return secret;
  };
  return { webhook: new WebhookSender(secretOf, timeoutMs), hubspot: new HubSpotSender(secretOf, timeoutMs), slack: new SlackSender(secretOf, timeoutMs) };
}
