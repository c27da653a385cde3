import * as c from '../shared/adapters/components';
import { createSqsClient } from '../shared/adapters/aws-clients';
import { createDeliverConsumer } from '../shared/adapters/deliver-consumer';
import { destinationSenders } from '../shared/adapters/destinations/senders';
import { createLogger } from '../shared/adapters/logger';
import { createDeliveryMetrics } from '../shared/adapters/metrics';
import { acceptUrl } from '../shared/domain/core/links';

const logger = createLogger();
const keyring = await c.keyring();
const bindings = c.env().destinations();

/** Destination queue consumer: one event per record, to the destination whose queue it came from. */
export const handler = createDeliverConsumer({
  destinations: c.settings().destinations,
  bindings,
  leads: c.storedLeads(),
  senders: destinationSenders(bindings, c.env().secretsExtension, c.env().destinationTimeoutMs),
  notices: c.erasureNotices(),
  deliveries: c.deliveryLog(),
  keyring,
  clock: c.clock,
  sqs: createSqsClient(),
  logger,
  countDelivery: createDeliveryMetrics(),
  retryScale: c.env().retryScale,
  retryWindowScale: c.env().retryWindowScale,
  callTimeoutMs: c.env().destinationTimeoutMs,
  acceptLink: (lead) =>
    lead.assignment ? acceptUrl(c.publicUrl(), keyring, lead.leadId, lead.assignment.generation, lead.assignment.rep, c.clock.now()) : undefined,
});
