import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Assignment, ConsentEvent, Lead, NurtureState } from '../domain/lead';
import { REQUEUE_AFTER_MS } from '../domain/nurture';
import type { LeadRepository, StoredLead } from '../domain/ports';
import { epochSeconds, isExpired } from '../domain/retention';
import { conditionally } from './dynamo-errors';
import { eventKey, leadIdOfKey, leadKey, NURTURE_INDEX, NURTURE_PARTITION, SLA_INDEX, SLA_PARTITION } from './table-keys';

const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * The sparse SLA index holds the next time the sweep must act on an assignment: at once while
 * its email is unsent, at its SLA deadline once sent; nothing once accepted or exhausted.
 */
function slaIndexAttributes(assignment: Assignment | undefined) {
  if (!assignment || assignment.acceptedAt || assignment.exhaustedAt) return {};
  return { slaPartition: SLA_PARTITION, slaDue: epoch(assignment.notifiedAt ? assignment.slaDueAt : assignment.assignedAt) };
}

/** The sparse nurture index: when the scheduler must next look at the lead's sequence. */
function nurtureIndexAttributes(state: NurtureState | undefined) {
  if (!state || state.status !== 'active' || !state.nextDueAt) return {};
  const due = state.enqueuedAt ? Date.parse(state.enqueuedAt) + REQUEUE_AFTER_MS : Date.parse(state.nextDueAt);
  return { nurturePartition: NURTURE_PARTITION, nurtureDue: Math.floor(due / 1000) };
}

export class DynamoLeadRepository implements LeadRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(leadId: string, now: Date): Promise<StoredLead | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: leadKey(leadId), ConsistentRead: true }),
    );
    if (!Item || isExpired(Item.expiresAt as number | undefined, now)) return undefined;
    const { pk: _pk, sk: _sk, itemType: _type, version, slaPartition: _p, slaDue: _d, nurturePartition: _np, nurtureDue: _nd, ...lead } = Item;
    return { lead: lead as Lead, version: version as number };
  }

  async save(lead: Lead, expectedVersion: number | undefined, now: Date): Promise<boolean> {
    return conditionally(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...leadKey(lead.leadId), itemType: 'lead', ...lead, ...slaIndexAttributes(lead.assignment), ...nurtureIndexAttributes(lead.nurture), version: (expectedVersion ?? 0) + 1 },
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

  async appendEvents(events: readonly ConsentEvent[]): Promise<void> {
    // Single puts, not BatchWriteItem: that action can also delete, and only erasure may delete.
    await Promise.all(
      events.map((event) =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...eventKey(event.leadId, event.at, `${event.submissionId}#${event.purpose}`), itemType: 'consent_event', ...event },
          }),
        ),
      ),
    );
  }

  async events(leadId: string, now: Date): Promise<ConsentEvent[]> {
    const events: ConsentEvent[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :events)',
          ExpressionAttributeValues: { ':pk': leadKey(leadId).pk, ':events': 'EVENT#' },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const { pk: _pk, sk: _sk, itemType: _type, ...event } of page.Items ?? []) {
        if (!isExpired(event.expiresAt as number, now)) events.push(event as ConsentEvent);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return events;
  }

  async markNotified(leadId: string, assignment: Assignment, at: Date): Promise<boolean> {
    return conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: leadKey(leadId),
          // Bumping the version makes a concurrent read-modify-write of the lead retry, not undo this.
          UpdateExpression: 'SET assignment.notifiedAt = :at, slaDue = :due, version = version + :one',
          ConditionExpression: 'assignment.generation = :generation AND attribute_not_exists(assignment.notifiedAt)',
          ExpressionAttributeValues: {
            ':at': at.toISOString(),
            ':due': epoch(assignment.slaDueAt),
            ':one': 1,
            ':generation': assignment.generation,
          },
        }),
      ),
    );
  }

  async unmarkNotified(leadId: string, assignment: Assignment): Promise<void> {
    await conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: leadKey(leadId),
          UpdateExpression: 'REMOVE assignment.notifiedAt SET slaDue = :due, version = version + :one',
          ConditionExpression: 'assignment.generation = :generation',
          ExpressionAttributeValues: { ':due': epoch(assignment.assignedAt), ':one': 1, ':generation': assignment.generation },
        }),
      ),
    );
  }

  findSlaDue(now: Date): Promise<string[]> {
    return this.dueIn(SLA_INDEX, 'slaPartition', SLA_PARTITION, 'slaDue', now);
  }

  findNurtureDue(now: Date): Promise<string[]> {
    return this.dueIn(NURTURE_INDEX, 'nurturePartition', NURTURE_PARTITION, 'nurtureDue', now);
  }

  private async dueIn(index: string, partitionKey: string, partition: string, dueKey: string, now: Date): Promise<string[]> {
    const ids: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index,
          KeyConditionExpression: '#partition = :partition AND #due <= :now',
          ExpressionAttributeNames: { '#partition': partitionKey, '#due': dueKey },
          ExpressionAttributeValues: { ':partition': partition, ':now': epochSeconds(now) },
          ProjectionExpression: 'pk',
          ExclusiveStartKey: startKey,
        }),
      );
      ids.push(...(page.Items ?? []).map((item) => leadIdOfKey(item.pk as string)));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return ids;
  }
}
