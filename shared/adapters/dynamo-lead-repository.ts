import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConsentEvent, Lead } from '../domain/lead';
import type { LeadRepository, StoredLead } from '../domain/ports';
import { epochSeconds, isExpired } from '../domain/retention';
import { isConditionFailure } from './dynamo-errors';
import { eventKey, leadKey } from './table-keys';

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
    const { pk: _pk, sk: _sk, itemType: _type, version, ...lead } = Item;
    return { lead: lead as Lead, version: version as number };
  }

  async save(lead: Lead, expectedVersion: number | undefined, now: Date): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...leadKey(lead.leadId), itemType: 'lead', ...lead, version: (expectedVersion ?? 0) + 1 },
          ...(expectedVersion === undefined
            ? {
                // An expired item may linger until DynamoDB deletes it; it counts as absent.
                ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
                ExpressionAttributeValues: { ':now': epochSeconds(now) },
              }
            : { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': expectedVersion } }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
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
}
