import type { SubmissionRecord } from '../core/lead';
import type { RoutingMessage } from '../core/ports';

/** The routing queue's message for one submission of a lead: ids only, no personal data. */
export const routingMessage = (leadId: string, submission: Pick<SubmissionRecord, 'submissionId' | 'formId' | 'at'>): RoutingMessage => ({
  type: 'lead.captured',
  version: 1,
  leadId,
  submissionId: submission.submissionId,
  formId: submission.formId,
  capturedAt: submission.at,
});
