import type { DestinationSender, Outgoing, SendResult } from '../../domain/destinations/deliver';
import { callDestination, DESTINATION_TIMEOUT_MS, resultOf, unanswered } from './destination-call';

const CONTACTS = '/crm/v3/objects/contacts';
const UPSERTS = new Set(['lead.created', 'lead.updated', 'lead.assigned', 'lead.reassigned', 'lead.rectified']);

/**
 * HubSpot CRM Contacts v3 with a private app's token: creations and changes are a
 * `batch/upsert` by email with the configured property mapping; an erasure, and a withdrawal of
 * the destination's purpose when it asks for deletion, are a `gdpr-delete` by email.
 */
export class HubSpotSender implements DestinationSender {
  constructor(
    private readonly tokenOf: (destinationId: string) => Promise<string>,
    private readonly timeoutMs = DESTINATION_TIMEOUT_MS,
  ) {}

  async send(outgoing: Outgoing): Promise<SendResult> {
    const request = this.requestFor(outgoing);
    if (!request) return { ok: true, status: 'not_applicable' };
    try {
      const response = await callDestination(
        `${(outgoing.destination.url as string).replace(/\/$/, '')}${request.path}`,
        { 'content-type': 'application/json', authorization: `Bearer ${await this.tokenOf(outgoing.destinationId)}` },
        JSON.stringify(request.body),
        this.timeoutMs,
      );
      // Deleting a contact HubSpot does not hold leaves nothing to delete.
      if (request.path.endsWith('gdpr-delete') && response.status === 404) return { ok: true, status: 404 };
      return resultOf(response);
    } catch (error) {
      return unanswered(error);
    }
  }

  private requestFor({ destination, event, email }: Outgoing): { path: string; body: unknown } | undefined {
    if (!email) return undefined;
    const deletes =
      event.type === 'lead.erased' ||
      (event.type === 'consent.withdrawn' &&
        destination.onWithdrawal === 'delete' &&
        destination.purposes.includes((event.data as { purpose: string }).purpose));
    if (deletes) return { path: `${CONTACTS}/gdpr-delete`, body: { objectId: email, idProperty: 'email' } };
    if (!UPSERTS.has(event.type) || !('fields' in event.data)) return undefined;
    const fields = event.data.fields as Record<string, string>;
    const properties: Record<string, string> = { email };
    for (const [field, property] of Object.entries(destination.properties)) {
      if (fields[field] !== undefined) properties[property] = fields[field];
    }
    return { path: `${CONTACTS}/batch/upsert`, body: { inputs: [{ id: email, idProperty: 'email', properties }] } };
  }
}
