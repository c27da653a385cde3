import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RunMark } from '../domain/core/ports';
import { conditionally } from './dynamo-errors';

/** A time a scheduled job has done its work up to (the last review digest, what the nurture tick covered), in one item moved with a conditional write. */
export class DynamoRunMark implements RunMark {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly key: { pk: string; sk: string },
    private readonly itemType: string,
    private readonly attribute: string,
  ) {}

  async last(): Promise<{ at: Date; noted: string[] } | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: this.key, ConsistentRead: true }));
    const value = Item?.[this.attribute];
    return typeof value === 'string' ? { at: new Date(value), noted: (Item?.noted as string[] | undefined) ?? [] } : undefined;
  }

  advance(from: Date | undefined, to: Date, noted: readonly string[] = []): Promise<boolean> {
    return conditionally(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...this.key, itemType: this.itemType, [this.attribute]: to.toISOString(), ...(noted.length ? { noted } : {}) },
          ...(from
            ? {
                ConditionExpression: '#mark = :from',
                ExpressionAttributeNames: { '#mark': this.attribute },
                ExpressionAttributeValues: { ':from': from.toISOString() },
              }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
      ),
    );
  }
}
