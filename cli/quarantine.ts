import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Lead } from '../shared/domain/lead';
import { discardQuarantine, releaseQuarantine, type QuarantineDeps } from '../shared/domain/quarantine';

export interface HeldSubmission {
  leadId: string;
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
    let startKey: Record<string, unknown> | undefined;
    const now = Math.floor(this.deps.clock.now().getTime() / 1000);
    do {
      const page = await this.deps.db.send(
        new ScanCommand({
          TableName: this.deps.tableName,
          FilterExpression: 'attribute_exists(quarantine) AND expiresAt > :now',
          ExpressionAttributeValues: { ':now': now },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of (page.Items ?? []) as Lead[]) {
        const q = item.quarantine!;
        const formId = item.submissions.find((s) => s.submissionId === q.submissionId)?.formId ?? '';
        held.push({ leadId: item.leadId, email: item.email, formId, at: q.at, reasons: q.reasons });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return held.sort((a, b) => a.at.localeCompare(b.at));
  }

  /** The held submissions with `reason` (any, if absent) held at or after `since`. */
  async matching(filter: { reason?: string | undefined; since?: Date | undefined }): Promise<HeldSubmission[]> {
    return (await this.list()).filter(
      (held) => (!filter.reason || held.reasons.includes(filter.reason)) && (!filter.since || Date.parse(held.at) >= filter.since.getTime()),
    );
  }

  release(leadId: string) {
    return releaseQuarantine(this.deps, leadId);
  }

  discard(leadId: string) {
    return discardQuarantine(this.deps, leadId);
  }
}
