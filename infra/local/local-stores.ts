import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { readableItem } from '../../shared/adapters/lead-item';

/** Every item of the local table, read consistently, lead items unpacked (the local runtime's views and the tests). */
export async function scanWholeTable(db: DynamoDBDocumentClient, tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...(page.Items ?? []).map(readableItem));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** A mail as the local SES (aws-ses-v2-local) keeps it. */
export interface StoredMail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  headers?: { name: string; value: string }[];
  at: number;
}

/** Every mail the local SES has accepted, read from its store (what its web viewer shows): loopback, no redirects, 5 s at most. */
export async function storedMail(sesUrl: string): Promise<StoredMail[]> {
  const response = await fetch(`${sesUrl}/store`, { redirect: 'error', signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`the local SES store answered ${response.status}`);
  return ((await response.json()) as { emails: StoredMail[] }).emails;
}
