import { DeleteCommand, GetCommand, paginateQuery, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AddOutcome, AdmissionFindings, StoredSubmission, SubmissionState, SubmissionStore, SweepEntry } from '../domain/core/ports';
import { epochSeconds, isExpired } from '../domain/core/retention';
import { routingSweepDueAt } from '../domain/core/due-times';
import { byCodeUnit } from '../domain/core/order';
import { conditionally } from './dynamo-errors';
import { INDEXES, leadKey, REVIEW_PARTITION, SUBMISSION_PREFIX, sparseIndexAttributes, submissionKey, withoutKeys } from './table-keys';

const UNMERGED: readonly SubmissionState[] = ['pending', 'held', 'released'];
const { routing } = INDEXES;

const fromItem = (item: Record<string, unknown>) => withoutKeys(item, routing) as unknown as StoredSubmission;

/**
 * Submissions as items of their own in the person's partition, apart from the lead, each keyed by
 * its claim (submissionKey): the item is the submission and its idempotency record in one write.
 */
export class DynamoSubmissionStore implements SubmissionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(stored: StoredSubmission, now: Date): Promise<AddOutcome> {
    const key = submissionKey(stored.leadId, stored.submissionId);
    // Two rounds: an item that becomes replaceable between our failed put and our read frees the claim.
    for (let round = 0; round < 2; round++) {
      const created = await conditionally(() =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...key, itemType: 'submission', ...stored },
            // Free: no item, or one past its expiry, which for a finished one (merged or discarded)
            // is the end of its de-duplication window (transition sets expiresAt = dedupUntil).
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
            ExpressionAttributeValues: { ':now': epochSeconds(now) },
          }),
        ),
      );
      if (created) return { created: true };
      // dynalite does not support ReturnValuesOnConditionCheckFailure, so read the holder (a retry's cost only).
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      // Our own put, retried by the SDK after its answer was lost: ours, not another's.
      if (Item && stored.attempt !== undefined && Item.attempt === stored.attempt) return { created: true };
      if (Item) return { created: false, existing: fromItem(Item) };
    }
    throw new Error('submission could not be stored or read');
  }

  async remove(leadId: string, submissionId: string): Promise<void> {
    await conditionally(() =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: submissionKey(leadId, submissionId),
          ConditionExpression: 'submissionId = :id AND attribute_not_exists(#partition)',
          ExpressionAttributeNames: { '#partition': routing.partitionKey },
          ExpressionAttributeValues: { ':id': submissionId },
        }),
      ),
    );
  }

  async enterRoutingSweep(stored: StoredSubmission, admission: AdmissionFindings): Promise<SweepEntry> {
    if (await this.putInRoutingSweep(stored, admission)) return 'entered';
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: submissionKey(stored.leadId, stored.submissionId),
        ConsistentRead: true,
        ProjectionExpression: 'submissionId',
      }),
    );
    return Item?.submissionId === stored.submissionId ? 'settled' : 'gone';
  }

  private putInRoutingSweep({ leadId, submissionId, at }: StoredSubmission, admission: AdmissionFindings): Promise<boolean> {
    return conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: submissionKey(leadId, submissionId),
          UpdateExpression: 'SET admission = :admission, #partition = :partition, #due = :due',
          ConditionExpression: 'submissionId = :id AND #state = :pending',
          ExpressionAttributeNames: { '#state': 'state', '#partition': routing.partitionKey, '#due': routing.sortKey },
          ExpressionAttributeValues: {
            ':admission': admission,
            ':id': submissionId,
            ':pending': 'pending',
            ':partition': routing.partition,
            // Due a grace period after capture, as the message it stands in for would have been routed by then.
            ':due': epochSeconds(routingSweepDueAt('pending', new Date(at)) as Date),
          },
        }),
      ),
    );
  }

  async get(leadId: string, submissionId: string, now: Date): Promise<StoredSubmission | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: submissionKey(leadId, submissionId), ConsistentRead: true }));
    return Item && Item.submissionId === submissionId && !isExpired(Item.expiresAt as number, now) && Item.submission ? fromItem(Item) : undefined;
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
    return found.sort((a, b) => byCodeUnit(a.at, b.at));
  }

  transition(
    leadId: string,
    submissionId: string,
    from: SubmissionState,
    to: SubmissionState,
    now: Date,
    held?: { reasons: string[]; at: string },
  ): Promise<boolean> {
    const values: Record<string, unknown> = { ':from': from, ':to': to, ':id': submissionId };
    const set = ['#state = :to'];
    const remove: string[] = [];
    const due =
      to === 'held'
        ? { [routing.partitionKey]: REVIEW_PARTITION, [routing.sortKey]: epochSeconds(now) }
        : sparseIndexAttributes(routing, routingSweepDueAt(to, now));
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
      // Nothing personal stays behind; it stays a retry's answer until its window ends, then TTL deletes it.
      remove.push('submission', 'admission');
      set.push('expiresAt = dedupUntil');
    }
    return conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: submissionKey(leadId, submissionId),
          UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: 'submissionId = :id AND #state = :from',
          ExpressionAttributeNames: { '#state': 'state', '#partition': routing.partitionKey, '#due': routing.sortKey },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  findRoutingDue(now: Date): Promise<StoredSubmission[]> {
    return this.inIndex(routing.partition, undefined, epochSeconds(now), now, (state) => state === 'pending' || state === 'released');
  }

  async findHeld(after: Date, until: Date, now: Date): Promise<StoredSubmission[]> {
    if (epochSeconds(after) >= epochSeconds(until)) return [];
    return this.inIndex(REVIEW_PARTITION, epochSeconds(after), epochSeconds(until), now, (state) => state === 'held');
  }

  /** The live items of one partition of the routing index with a due time in (after, until], in the states asked for. */
  private async inIndex(
    partition: string,
    after: number | undefined,
    until: number,
    now: Date,
    wanted: (state: SubmissionState) => boolean,
  ): Promise<StoredSubmission[]> {
    const keys: { pk: string; sk: string }[] = [];
    const pages = paginateQuery(
      { client: this.db },
      {
        TableName: this.tableName,
        IndexName: routing.name,
        KeyConditionExpression: `#partition = :partition AND ${after === undefined ? '#due <= :until' : '#due BETWEEN :after AND :until'}`,
        ExpressionAttributeNames: { '#partition': routing.partitionKey, '#due': routing.sortKey },
        ExpressionAttributeValues: { ':partition': partition, ':until': until, ...(after === undefined ? {} : { ':after': after + 1 }) },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) if ((item.sk as string).startsWith(SUBMISSION_PREFIX)) keys.push({ pk: item.pk as string, sk: item.sk as string });
    }
    // The index holds keys only; the callers need each submission's id and state.
    const found: StoredSubmission[] = [];
    for (const key of keys) {
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
      if (Item && !isExpired(Item.expiresAt as number, now) && wanted(Item.state as SubmissionState)) found.push(fromItem(Item));
    }
    return found;
  }
}
