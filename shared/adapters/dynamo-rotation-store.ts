import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { repTag } from '../domain/core/links';
import type { RotationStore } from '../domain/core/ports';
import { addDays } from '../domain/core/retention';
import { conditionally, isConditionFailure } from './dynamo-errors';
import { capacityKey, rotationCounterKey } from './table-keys';

/**
 * Round-robin state in one item per team: the next turn and the submission that took the last
 * one. A turn is one conditional update; a repeat by the submission that took the last turn (a
 * retry, a duplicate delivery) reads its turn back instead.
 */
export class DynamoRotationStore implements RotationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async takeTurn(teamId: string, submissionId: string): Promise<number> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: rotationCounterKey(teamId),
          UpdateExpression: 'SET #next = if_not_exists(#next, :zero) + :one, #last = :submission',
          ConditionExpression: 'attribute_not_exists(#last) OR #last <> :submission',
          ExpressionAttributeNames: { '#next': 'next', '#last': 'lastSubmission' },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':submission': submissionId },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return (Attributes?.next as number) - 1;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: rotationCounterKey(teamId), ConsistentRead: true }));
      // Another submission took a turn since: this one takes a new turn.
      return Item?.lastSubmission === submissionId ? (Item.next as number) - 1 : this.takeTurn(teamId, submissionId);
    }
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
