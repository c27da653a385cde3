import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { repTag } from '../domain/core/links';
import type { Clock, RotationStore } from '../domain/core/ports';
import { addDays } from '../domain/core/retention';
import { conditionally } from './dynamo-errors';
import { capacityKey, rotationCounterKey, rotationSubmissionKey, rotationTurnKey } from './table-keys';

/** Turn records are only needed while a message may still be redelivered. */
const TURN_RETENTION_DAYS = 30;
const MAX_PROBES = 1000;

/**
 * Round-robin state without transactions (dynalite has none). Each turn is an item written
 * with attribute_not_exists, so exactly one submission owns it; the counter is only a hint of
 * where to start. A submission that already owns a turn gets the same one back.
 */
export class DynamoRotationStore implements RotationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  private async read(key: { pk: string; sk: string }) {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return Item;
  }

  async takeTurn(teamId: string, submissionId: string): Promise<number> {
    const owned = await this.read(rotationSubmissionKey(teamId, submissionId));
    if (owned) return owned.turn as number;
    const expiresAt = addDays(this.clock.now(), TURN_RETENTION_DAYS);
    let turn = ((await this.read(rotationCounterKey(teamId)))?.next as number | undefined) ?? 0;
    for (let probe = 0; probe < MAX_PROBES; probe++, turn++) {
      const taken = await conditionally(() =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...rotationTurnKey(teamId, turn), itemType: 'rotation_turn', submissionId, expiresAt },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      // Lost the put: the turn is someone else's, unless a concurrent copy of this message took it.
      if (!taken && (await this.read(rotationTurnKey(teamId, turn)))?.submissionId !== submissionId) continue;
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...rotationSubmissionKey(teamId, submissionId), itemType: 'rotation_submission', turn, expiresAt },
        }),
      );
      await this.advanceCounter(teamId, turn + 1);
      return turn;
    }
    throw new Error(`no free turn found for team ${teamId}`);
  }

  private async advanceCounter(teamId: string, next: number): Promise<void> {
    await conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: rotationCounterKey(teamId),
          UpdateExpression: 'SET #next = :next',
          ConditionExpression: 'attribute_not_exists(#next) OR #next < :next',
          ExpressionAttributeNames: { '#next': 'next' },
          ExpressionAttributeValues: { ':next': next },
        }),
      ),
    );
  }

  async claimCapacity(teamId: string, rep: string, day: string, submissionId: string, cap: number): Promise<boolean> {
    return conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: capacityKey(teamId, repTag(rep), day),
          UpdateExpression: 'ADD assigned :submission SET expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(assigned) OR size(assigned) < :cap OR contains(assigned, :id)',
          ExpressionAttributeValues: {
            ':submission': new Set([submissionId]),
            ':id': submissionId,
            ':cap': cap,
            ':expiresAt': addDays(new Date(`${day}T00:00:00Z`), 2),
          },
        }),
      ),
    );
  }
}
