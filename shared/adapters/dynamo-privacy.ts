import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LeadEraser, PrivacyRequest, PrivacyRequestStore } from '../domain/privacy/privacy';
import { isExpired } from '../domain/core/retention';
import { conditionally } from './dynamo-errors';
import { leadKey, privacyRequestKey } from './table-keys';

export class DynamoPrivacyRequests implements PrivacyRequestStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(request: PrivacyRequest): Promise<void> {
    await this.db.send(
      new PutCommand({ TableName: this.tableName, Item: { ...privacyRequestKey(request.requestId), itemType: 'privacy_request', ...request } }),
    );
  }

  async get(requestId: string, now: Date): Promise<PrivacyRequest | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: privacyRequestKey(requestId), ConsistentRead: true }));
    if (!Item || isExpired(Item.expiresAt as number, now)) return undefined;
    const { pk: _pk, sk: _sk, itemType: _type, ...request } = Item;
    return request as PrivacyRequest;
  }

  markUsed(requestId: string, now: Date): Promise<boolean> {
    return conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: privacyRequestKey(requestId),
          UpdateExpression: 'SET usedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt)',
          ExpressionAttributeValues: { ':now': now.toISOString() },
        }),
      ),
    );
  }
}

/** The only code that deletes lead data; only the privacy function's role may call DeleteItem. */
export class DynamoLeadEraser implements LeadEraser {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async erase(leadId: string): Promise<number> {
    let deleted = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': leadKey(leadId).pk },
          ProjectionExpression: 'pk, sk',
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      await Promise.all((page.Items ?? []).map((key) => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: key }))));
      deleted += page.Items?.length ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return deleted;
  }
}
