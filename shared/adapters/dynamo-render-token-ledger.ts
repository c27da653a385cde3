import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RenderTokenLedger } from '../domain/capture/rate-limits';
import { conditionally } from './dynamo-errors';
import { renderTokenKey } from './table-keys';

/**
 * A render token's uses as a string set of content fingerprints: adding one already there changes
 * nothing, so a retry of a submission never counts twice, and the condition admits a new one only
 * while the set is below the allowance. One conditional write, no read.
 */
export class DynamoRenderTokenLedger implements RenderTokenLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  use(tokenId: string, fingerprint: string, allowance: number, expiresAt: number): Promise<boolean> {
    return conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: renderTokenKey(tokenId),
          UpdateExpression: 'ADD uses :use SET expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(uses) OR size(uses) < :allowance OR contains(uses, :fingerprint)',
          ExpressionAttributeValues: { ':use': new Set([fingerprint]), ':fingerprint': fingerprint, ':allowance': allowance, ':expiresAt': expiresAt },
        }),
      ),
    );
  }
}
