import { GetCommand, paginateQuery, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StoredSubmission, SubmissionState, SubmissionStore } from '../domain/core/ports';
import { epochSeconds, isExpired } from '../domain/core/retention';
import { routingSweepDueAt } from '../domain/core/due-times';
import { conditionally } from './dynamo-errors';
import { INDEXES, leadIdOfKey, leadKey, SUBMISSION_PREFIX, sparseIndexAttributes, submissionIdOfKey, submissionKey, withoutKeys } from './table-keys';

const UNMERGED: readonly SubmissionState[] = ['pending', 'held', 'released'];
const { routing } = INDEXES;

const fromItem = (item: Record<string, unknown>) => withoutKeys(item, routing) as unknown as StoredSubmission;

/** Submissions as items of their own in the person's partition (submissionKey), apart from the lead. */
export class DynamoSubmissionStore implements SubmissionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(stored: StoredSubmission): Promise<void> {
    await conditionally(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...submissionKey(stored.leadId, stored.submissionId),
            itemType: 'submission',
            ...stored,
            ...sparseIndexAttributes(routing, routingSweepDueAt(stored.state, new Date(stored.at))),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async get(leadId: string, submissionId: string, now: Date): Promise<StoredSubmission | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: submissionKey(leadId, submissionId), ConsistentRead: true }));
    return Item && !isExpired(Item.expiresAt as number, now) ? fromItem(Item) : undefined;
  }

  async unmerged(leadId: string, now: Date): Promise<StoredSubmission[]> {
    const found: StoredSubmission[] = [];
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': leadKey(leadId).pk, ':prefix': SUBMISSION_PREFIX },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        if (!isExpired(item.expiresAt as number, now) && UNMERGED.includes(item.state as SubmissionState)) found.push(fromItem(item));
      }
    }
    return found.sort((a, b) => a.at.localeCompare(b.at));
  }

  transition(
    leadId: string,
    submissionId: string,
    from: SubmissionState,
    to: SubmissionState,
    now: Date,
    held?: { reasons: string[]; at: string },
  ): Promise<boolean> {
    const values: Record<string, unknown> = { ':from': from, ':to': to };
    const set = ['#state = :to'];
    const remove: string[] = [];
    const due = sparseIndexAttributes(routing, routingSweepDueAt(to, now));
    if (Object.keys(due).length) {
      set.push('#partition = :partition', '#due = :due');
      Object.assign(values, { ':partition': due[routing.partitionKey], ':due': due[routing.sortKey] });
    } else {
      remove.push('#partition', '#due');
    }
    if (held) {
      set.push('held = :held');
      values[':held'] = held;
    }
    if (to === 'merged' || to === 'discarded') {
      // Nothing personal stays behind; every read treats it as gone, and TTL deletes it.
      remove.push('submission');
      set.push('expiresAt = :now');
      values[':now'] = epochSeconds(now);
    }
    return conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: submissionKey(leadId, submissionId),
          UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: '#state = :from',
          ExpressionAttributeNames: { '#state': 'state', '#partition': routing.partitionKey, '#due': routing.sortKey },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  async findRoutingDue(now: Date): Promise<{ leadId: string; submissionId: string }[]> {
    const due: { leadId: string; submissionId: string }[] = [];
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: this.tableName,
        IndexName: routing.name,
        KeyConditionExpression: '#partition = :partition AND #due <= :now',
        ExpressionAttributeNames: { '#partition': routing.partitionKey, '#due': routing.sortKey },
        ExpressionAttributeValues: { ':partition': routing.partition, ':now': epochSeconds(now) },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const sk = item.sk as string;
        if (sk.startsWith(SUBMISSION_PREFIX)) due.push({ leadId: leadIdOfKey(item.pk as string), submissionId: submissionIdOfKey(sk) });
      }
    }
    return due;
  }
}
