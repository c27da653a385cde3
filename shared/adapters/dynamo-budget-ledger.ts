import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BudgetLedger, BudgetRelease } from '../domain/insight/privacy-budget';
import { conditionally } from './dynamo-errors';
import { budgetKey } from './table-keys';

/** One item per reporting period: what was spent and every release, moved by one conditional update each. */
export class DynamoBudgetLedger implements BudgetLedger {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  spend(period: string, release: BudgetRelease, budgetMicro: number): Promise<boolean> {
    return conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: budgetKey(period),
          UpdateExpression:
            'SET itemType = :type, spentMicro = if_not_exists(spentMicro, :zero) + :spend, releases = list_append(if_not_exists(releases, :none), :release)',
          // DynamoDB conditions do no arithmetic: what may already be spent is the budget less this release.
          ConditionExpression: '(attribute_not_exists(spentMicro) AND :spend <= :budget) OR spentMicro <= :room',
          ExpressionAttributeValues: {
            ':type': 'privacy_budget',
            ':zero': 0,
            ':spend': release.microEpsilon,
            ':none': [],
            ':release': [release],
            ':budget': budgetMicro,
            ':room': budgetMicro - release.microEpsilon,
          },
        }),
      ),
    );
  }

  async ledger(period: string): Promise<{ spentMicro: number; releases: BudgetRelease[] }> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: budgetKey(period), ConsistentRead: true }));
    return { spentMicro: (Item?.spentMicro as number | undefined) ?? 0, releases: (Item?.releases as BudgetRelease[] | undefined) ?? [] };
  }
}
