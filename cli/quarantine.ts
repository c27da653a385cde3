import { paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StoredSubmission } from '../shared/domain/core/ports';
import { discardHeld, releaseHeld, type QuarantineDeps } from '../shared/domain/screening/quarantine';

export interface HeldSubmission {
  leadId: string;
  submissionId: string;
  email: string;
  formId: string;
  at: string;
  reasons: string[];
}

/** Operator view of the quarantine. Listing scans the table: an operator command, not a hot path. */
export class QuarantineAdmin {
  constructor(private readonly deps: QuarantineDeps & { db: DynamoDBDocumentClient; tableName: string }) {}

  async list(): Promise<HeldSubmission[]> {
    const held: HeldSubmission[] = [];
    const now = Math.floor(this.deps.clock.now().getTime() / 1000);
    const pages = paginateScan(
      { client: this.deps.db },
      {
        TableName: this.deps.tableName,
        FilterExpression: 'itemType = :submission AND #state = :held AND expiresAt > :now',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':submission': 'submission', ':held': 'held', ':now': now },
      },
    );
    for await (const page of pages) {
      for (const item of (page.Items ?? []) as StoredSubmission[]) {
        held.push({
          leadId: item.leadId,
          submissionId: item.submissionId,
          email: item.submission?.email ?? '',
          formId: item.formId,
          at: item.held?.at ?? item.at,
          reasons: item.held?.reasons ?? [],
        });
      }
    }
    return held.sort((a, b) => a.at.localeCompare(b.at) || a.submissionId.localeCompare(b.submissionId));
  }

  /** The held submissions with `reason` (any, if absent) held at or after `since`. */
  async matching(filter: {
    reason?: string | undefined;
    since?: Date | undefined;
    leadId?: string | undefined;
    submissionId?: string | undefined;
  }): Promise<HeldSubmission[]> {
    return (await this.list()).filter(
      (held) =>
        (!filter.reason || held.reasons.includes(filter.reason)) &&
        (!filter.since || Date.parse(held.at) >= filter.since.getTime()) &&
        (!filter.leadId || held.leadId === filter.leadId) &&
        (!filter.submissionId || held.submissionId === filter.submissionId),
    );
  }

  release(held: HeldSubmission) {
    return releaseHeld(this.deps, held.leadId, held.submissionId);
  }

  discard(held: HeldSubmission) {
    return discardHeld(this.deps, held.leadId, held.submissionId);
  }
}
