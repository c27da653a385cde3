import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DigestLog } from '../domain/screening/review-digest';
import { conditionally } from './dynamo-errors';
import { reviewDigestKey } from './table-keys';

/** The time of the last review digest, in one item, moved with a conditional write. */
export class DynamoDigestLog implements DigestLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async lastDigest(): Promise<Date | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: reviewDigestKey(), ConsistentRead: true }));
    return typeof Item?.sentAt === 'string' ? new Date(Item.sentAt) : undefined;
  }

  advance(from: Date | undefined, to: Date): Promise<boolean> {
    return conditionally(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...reviewDigestKey(), itemType: 'review_digest', sentAt: to.toISOString() },
          ConditionExpression: from ? 'sentAt = :from' : 'attribute_not_exists(pk)',
          ...(from ? { ExpressionAttributeValues: { ':from': from.toISOString() } } : {}),
        }),
      ),
    );
  }
}
