import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Suppression, SuppressionList, SuppressionReason } from '../domain/nurture/suppression';
import { suppressionKey } from './table-keys';

const ATTRIBUTE: Record<SuppressionReason, string> = {
  unsubscribed: 'unsubscribedAt',
  bounced: 'bouncedAt',
  complained: 'complainedAt',
  erased: 'erasedAt',
};

/** One item per suppressed address hash, with no personal data and no TTL. */
export class DynamoSuppressionList implements SuppressionList {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(leadId: string): Promise<Suppression | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: suppressionKey(leadId), ConsistentRead: true }));
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, itemType: _type, ...suppression } = Item;
    return suppression as Suppression;
  }

  async add(leadId: string, reason: SuppressionReason, at: Date): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: suppressionKey(leadId),
        // The first time is the one that counts; repeating it changes nothing.
        UpdateExpression: 'SET #reason = if_not_exists(#reason, :at), leadId = :leadId, itemType = :type',
        ExpressionAttributeNames: { '#reason': ATTRIBUTE[reason] },
        ExpressionAttributeValues: { ':at': at.toISOString(), ':leadId': leadId, ':type': 'suppression' },
      }),
    );
  }

  async lift(leadId: string, reasons: readonly SuppressionReason[]): Promise<void> {
    if (reasons.length === 0) return;
    // Most people were never suppressed: a read costs a fifth of the write a failed condition costs.
    const names = Object.fromEntries(reasons.map((reason, i) => [`#r${i}`, ATTRIBUTE[reason]]));
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: suppressionKey(leadId),
        ConsistentRead: true,
        ProjectionExpression: Object.keys(names).join(', '),
        ExpressionAttributeNames: names,
      }),
    );
    if (!Item || Object.keys(Item).length === 0) return;
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: suppressionKey(leadId),
          UpdateExpression: `REMOVE ${reasons.map((_, i) => `#r${i}`).join(', ')}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: Object.fromEntries(reasons.map((reason, i) => [`#r${i}`, ATTRIBUTE[reason]])),
        }),
      )
      .catch((error: Error) => {
        if (error.name !== 'ConditionalCheckFailedException') throw error;
      });
  }

  async countSoftBounce(leadId: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: suppressionKey(leadId),
        UpdateExpression: 'ADD softBounces :one SET leadId = :leadId, itemType = :type',
        ExpressionAttributeValues: { ':one': 1, ':leadId': leadId, ':type': 'suppression' },
      }),
    );
  }
}
