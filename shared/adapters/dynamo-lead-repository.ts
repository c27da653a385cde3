import { GetCommand, paginateQuery, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Assignment, ConsentEvent, Lead } from '../domain/core/lead';
import { nurtureTickDueAt, slaSweepDueAt } from '../domain/core/due-times';
import type { LeadRepository, NurtureDue, StoredLead } from '../domain/core/ports';
import { epochSeconds, isExpired } from '../domain/core/retention';
import { conditionally } from './dynamo-errors';
import { dueEntries, duePartitionKeys } from './dynamo-due-index';
import type { PendingEvent } from '../domain/destinations/pending-event';
import { consentEventItems, consentEventsOf } from './dynamo-consent-events';
import { EVENT_PREFIX, OUTBOX_PARTITION, INDEXES, leadIdOfKey, leadKey, type SparseIndex, sparseIndexAttributes } from './table-keys';
import { LEAD_WRITE_ATTEMPTS, LeadKeptChanging } from '../domain/core/lead-update';
import { leadItem, leadOfItem, OUTBOX_ATTRIBUTE } from './lead-item';

/** An outbox not emptied this long after its write is the outbox sweep's to publish. */
export const OUTBOX_GRACE_SECONDS = 60;

const indexAttributes = (lead: Lead, outbox: readonly PendingEvent[] | undefined, now: Date) => ({
  ...sparseIndexAttributes(INDEXES.sla, slaSweepDueAt(lead.assignment)),
  ...sparseIndexAttributes(INDEXES.nurture, nurtureTickDueAt(lead.nurture)),
  ...(outbox?.length ? { [INDEXES.routing.partitionKey]: OUTBOX_PARTITION, [INDEXES.routing.sortKey]: epochSeconds(now) + OUTBOX_GRACE_SECONDS } : {}),
});

export class DynamoLeadRepository implements LeadRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(leadId: string, now: Date): Promise<StoredLead | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: leadKey(leadId), ConsistentRead: true }));
    if (!Item || isExpired(Item.expiresAt as number | undefined, now)) return undefined;
    return leadOfItem(Item, leadId);
  }

  async save(lead: Lead, expectedVersion: number | undefined, now: Date, outbox?: readonly PendingEvent[]): Promise<boolean> {
    return conditionally(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: leadItem(lead, indexAttributes(lead, outbox, now), (expectedVersion ?? 0) + 1, outbox),
          ...(expectedVersion === undefined
            ? {
                // An expired item may linger until DynamoDB deletes it; it counts as absent.
                ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
                ExpressionAttributeValues: { ':now': epochSeconds(now) },
              }
            : { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': expectedVersion } }),
        }),
      ),
    );
  }

  clearOutbox(leadId: string, savedVersion: number): Promise<boolean> {
    return conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: leadKey(leadId),
          // The version stays: a writer that read the lead before this carries the events again and
          // republishes them (de-duplicated by SNS on their ids), rather than losing its race.
          UpdateExpression: 'REMOVE outbox, #outbox, #partition, #due',
          ConditionExpression: 'version = :version',
          ExpressionAttributeNames: { '#outbox': OUTBOX_ATTRIBUTE, '#partition': INDEXES.routing.partitionKey, '#due': INDEXES.routing.sortKey },
          ExpressionAttributeValues: { ':version': savedVersion },
        }),
      ),
    );
  }

  async appendEvents(events: readonly ConsentEvent[]): Promise<void> {
    // Single puts, not BatchWriteItem: that action can also delete, and only erasure may delete.
    await Promise.all(consentEventItems(events).map((item) => this.db.send(new PutCommand({ TableName: this.tableName, Item: item }))));
  }

  async events(leadId: string, now: Date): Promise<ConsentEvent[]> {
    const events = new Map<string, ConsentEvent>();
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :events)',
        ExpressionAttributeValues: { ':pk': leadKey(leadId).pk, ':events': EVENT_PREFIX },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        for (const event of consentEventsOf(item, leadId)) {
          if (!isExpired(event.expiresAt, now)) events.set(`${event.at}#${event.submissionId}#${event.purpose}`, event);
        }
      }
    }
    // Oldest first; within one change by purpose, as the key orders items of one event each.
    return [...events].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, event]) => event);
  }

  markNotified(leadId: string, assignment: Assignment, at: Date): Promise<boolean> {
    return this.rewrite(leadId, at, (lead) => {
      const current = lead.assignment;
      if (current?.generation !== assignment.generation || current.notifiedAt) return undefined;
      const { notifyFailedAt: _failed, ...claimed } = current;
      return { ...lead, assignment: { ...claimed, notifiedAt: at.toISOString() } };
    });
  }

  async unmarkNotified(leadId: string, assignment: Assignment, at: Date): Promise<void> {
    await this.rewrite(leadId, at, (lead) => {
      const current = lead.assignment;
      if (current?.generation !== assignment.generation) return undefined;
      const { notifiedAt: _notified, ...given } = current;
      return { ...lead, assignment: { ...given, notifyFailedAt: at.toISOString() } };
    });
  }

  /**
   * Applies `change` to the lead as stored, saved only over the version read (the packed lead
   * has no attributes to update in place); false when there is nothing to change. Not the
   * domain's updateLead: a save without an outbox drops the stored one, and these small claims
   * must carry a pending outbox over as it is.
   */
  private async rewrite(leadId: string, now: Date, change: (lead: Lead) => Lead | undefined): Promise<boolean> {
    for (let attempt = 1; attempt <= LEAD_WRITE_ATTEMPTS; attempt++) {
      const stored = await this.get(leadId, now);
      const changed = stored && change(stored.lead);
      if (!changed) return false;
      if (await this.save(changed, stored.version, now, stored.outbox)) return true;
    }
    throw new LeadKeptChanging(leadId);
  }

  findSlaDue(now: Date): Promise<string[]> {
    return this.dueIn(INDEXES.sla, now);
  }

  async findNurtureDue(now: Date): Promise<NurtureDue[]> {
    return (await dueEntries(this.db, this.tableName, INDEXES.nurture, INDEXES.nurture.partition, now)).map(({ pk, dueAt }) => ({
      leadId: leadIdOfKey(pk),
      dueAt,
    }));
  }

  private async dueIn(index: SparseIndex, now: Date): Promise<string[]> {
    return (await duePartitionKeys(this.db, this.tableName, index, index.partition, now)).map(leadIdOfKey);
  }
}
