import { BatchWriteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConsentEvent, Lead } from '../domain/lead';
import type { LeadRepository, StoredLead } from '../domain/ports';
import { epochSeconds, isExpired } from '../domain/retention';
import { isConditionFailure } from './dynamo-errors';
import { eventKey, leadKey } from './table-keys';

const BATCH_SIZE = 25;
const MAX_BATCH_ATTEMPTS = 8;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
    for (let start = 0; start < events.length; start += BATCH_SIZE) {
      let requests = events.slice(start, start + BATCH_SIZE).map((event) => ({
        PutRequest: {
          Item: { ...eventKey(event.leadId, event.at, `${event.submissionId}#${event.purpose}`), itemType: 'consent_event', ...event },
        },
      }));
      for (let attempt = 1; requests.length > 0; attempt++) {
        if (attempt > MAX_BATCH_ATTEMPTS) throw new Error('DynamoDB kept returning unprocessed consent events');
        const { UnprocessedItems } = await this.db.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
        );
        requests = (UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
        if (requests.length) await pause(25 * 2 ** attempt);
      }
    }
  }
}
