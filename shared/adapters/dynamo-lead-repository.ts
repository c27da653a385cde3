import { GetCommand, paginateQuery, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Assignment, ConsentEvent, Lead } from '../domain/core/lead';
import { nurtureTickDueAt, slaSweepDueAt } from '../domain/core/due-times';
import type { LeadRepository, NurtureDue, StoredLead } from '../domain/core/ports';
import { epochSeconds, isExpired } from '../domain/core/retention';
import { conditionally } from './dynamo-errors';
import { dueEntries, duePartitionKeys } from './dynamo-due-index';
import type { PendingEvent } from '../domain/destinations/pending-event';
import { consentEventItems, consentEventsOf } from './dynamo-consent-events';
import { EVENT_PREFIX, OUTBOX_PARTITION, INDEXES, leadIdOfKey, leadKey, type SparseIndex, sparseIndexAttributes, withoutKeys } from './table-keys';

const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** An outbox not emptied this long after its write is the outbox sweep's to publish. */
export const OUTBOX_GRACE_SECONDS = 60;

const indexAttributes = (lead: Lead, outbox: readonly PendingEvent[] | undefined, now: Date) => ({
  ...sparseIndexAttributes(INDEXES.sla, slaSweepDueAt(lead.assignment)),
  ...sparseIndexAttributes(INDEXES.nurture, nurtureTickDueAt(lead.nurture)),
  ...(outbox?.length ? { outbox, [INDEXES.routing.partitionKey]: OUTBOX_PARTITION, [INDEXES.routing.sortKey]: epochSeconds(now) + OUTBOX_GRACE_SECONDS } : {}),
});

export class DynamoLeadRepository implements LeadRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(leadId: string, now: Date): Promise<StoredLead | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: leadKey(leadId), ConsistentRead: true }));
    if (!Item || isExpired(Item.expiresAt as number | undefined, now)) return undefined;
    const { version, outbox, ...lead } = withoutKeys(Item, INDEXES.sla, INDEXES.nurture, INDEXES.routing);
    return { lead: lead as unknown as Lead, version: version as number, ...(outbox ? { outbox: outbox as PendingEvent[] } : {}) };
  }

  async save(lead: Lead, expectedVersion: number | undefined, now: Date, outbox?: readonly PendingEvent[]): Promise<boolean> {
    return conditionally(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...leadKey(lead.leadId), itemType: 'lead', ...lead, ...indexAttributes(lead, outbox, now), version: (expectedVersion ?? 0) + 1 },
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
          UpdateExpression: 'REMOVE outbox, #partition, #due',
          ConditionExpression: 'version = :version',
          ExpressionAttributeNames: { '#partition': INDEXES.routing.partitionKey, '#due': INDEXES.routing.sortKey },
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

  async markNotified(leadId: string, assignment: Assignment, at: Date): Promise<boolean> {
    // After a failed send the due time moves back to the deadline; otherwise it is already there.
    const failedBefore = assignment.notifyFailedAt !== undefined;
    return conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: leadKey(leadId),
          // Bumping the version makes a concurrent read-modify-write of the lead retry, not undo this.
          UpdateExpression: `SET assignment.notifiedAt = :at, version = version + :one${failedBefore ? ', #due = :due REMOVE assignment.notifyFailedAt' : ''}`,
          ConditionExpression: 'assignment.generation = :generation AND attribute_not_exists(assignment.notifiedAt)',
          ...(failedBefore ? { ExpressionAttributeNames: { '#due': INDEXES.sla.sortKey } } : {}),
          ExpressionAttributeValues: {
            ':at': at.toISOString(),
            ':one': 1,
            ':generation': assignment.generation,
            ...(failedBefore ? { ':due': epoch(assignment.slaDueAt) } : {}),
          },
        }),
      ),
    );
  }

  async unmarkNotified(leadId: string, assignment: Assignment, at: Date): Promise<void> {
    await conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: leadKey(leadId),
          UpdateExpression: 'REMOVE assignment.notifiedAt SET assignment.notifyFailedAt = :now, #due = :due, version = version + :one',
          ConditionExpression: 'assignment.generation = :generation',
          ExpressionAttributeNames: { '#due': INDEXES.sla.sortKey },
          ExpressionAttributeValues: {
            ':now': at.toISOString(),
            ':due': epoch(assignment.assignedAt),
            ':one': 1,
            ':generation': assignment.generation,
          },
        }),
      ),
    );
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
