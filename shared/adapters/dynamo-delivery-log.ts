import { PutCommand, paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { epochSeconds } from '../domain/core/retention';
import type { DeliveryLog, DeliveryLogEntry } from '../domain/destinations/delivery-log';
import { deliveryLogKey } from './table-keys';

const KEEP_DAYS = 30;

/** Every delivery attempt's outcome, per destination and time; no personal data (the lead's key and reference, never its fields). */
export class DynamoDeliveryLog implements DeliveryLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(entry: DeliveryLogEntry): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...deliveryLogKey(entry.destinationId, entry.at, entry.deliveryId),
          itemType: 'delivery',
          ...entry,
          expiresAt: epochSeconds(new Date(entry.at)) + KEEP_DAYS * 86_400,
        },
      }),
    );
  }

  async list(destinationId: string, since: Date): Promise<DeliveryLogEntry[]> {
    const entries: DeliveryLogEntry[] = [];
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk >= :since',
        ExpressionAttributeValues: { ':pk': deliveryLogKey(destinationId, '', '').pk, ':since': since.toISOString() },
      },
    );
    for await (const page of pages) {
      for (const { pk: _pk, sk: _sk, itemType: _t, expiresAt: _e, ...entry } of page.Items ?? []) entries.push(entry as DeliveryLogEntry);
    }
    return entries;
  }
}
