import { paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { epochSeconds } from '../domain/core/retention';
import type { SparseIndex } from './table-keys';

/** The partition keys and due times of the items due by `now` in one partition of a sparse index, soonest first (keys only: no item is read). */
export async function dueEntries(
  db: DynamoDBDocumentClient,
  tableName: string,
  index: SparseIndex,
  partition: string,
  now: Date,
): Promise<{ pk: string; dueAt: Date }[]> {
  const entries: { pk: string; dueAt: Date }[] = [];
  const pages = paginateQuery(
    { client: db },
    {
      TableName: tableName,
      IndexName: index.name,
      KeyConditionExpression: '#partition = :partition AND #due <= :now',
      ExpressionAttributeNames: { '#partition': index.partitionKey, '#due': index.sortKey },
      ExpressionAttributeValues: { ':partition': partition, ':now': epochSeconds(now) },
      ProjectionExpression: 'pk, #due',
    },
  );
  for await (const page of pages)
    entries.push(...(page.Items ?? []).map((item) => ({ pk: item.pk as string, dueAt: new Date((item[index.sortKey] as number) * 1000) })));
  return entries;
}

/** The partition keys of the items due by `now` in one partition of a sparse index. */
export const duePartitionKeys = async (db: DynamoDBDocumentClient, tableName: string, index: SparseIndex, partition: string, now: Date): Promise<string[]> =>
  (await dueEntries(db, tableName, index, partition, now)).map((entry) => entry.pk);
