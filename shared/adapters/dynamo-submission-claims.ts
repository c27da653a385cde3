import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SubmissionClaim, SubmissionClaims } from '../domain/core/ports';
import { epochSeconds, isExpired } from '../domain/core/retention';
import { conditionally } from './dynamo-errors';
import { claimKey } from './table-keys';

export class DynamoSubmissionClaims implements SubmissionClaims {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(claim: SubmissionClaim, now: Date): Promise<{ created: true } | { created: false; existing: SubmissionClaim }> {
    // Two rounds: a claim that expires between our failed put and our read frees the id again.
    for (let round = 0; round < 2; round++) {
      const created = await conditionally(() =>
        this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...claimKey(claim.claimId), itemType: 'submission_claim', ...claim },
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
            ExpressionAttributeValues: { ':now': epochSeconds(now) },
          }),
        ),
      );
      if (created) return { created: true };
      // dynalite does not support ReturnValuesOnConditionCheckFailure, so read the winner.
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: claimKey(claim.claimId), ConsistentRead: true }));
      if (Item && !isExpired(Item.expiresAt as number, now)) {
        const { pk: _pk, sk: _sk, itemType: _type, ...existing } = Item;
        return { created: false, existing: existing as SubmissionClaim };
      }
    }
    throw new Error('submission claim could not be taken or read');
  }

  complete(claimId: string): Promise<void> {
    return this.setState(claimId, 'done');
  }

  reopen(claimId: string): Promise<void> {
    return this.setState(claimId, 'pending');
  }

  private async setState(claimId: string, state: SubmissionClaim['state']): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: claimKey(claimId),
        UpdateExpression: 'SET #state = :state',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':state': state },
      }),
    );
  }
}
