import type { Keyring } from '../domain/core/keyring';
import { decideReview, previewReview, type ReviewDecision, type ReviewPreview } from '../domain/screening/review';
import type { QuarantineDeps } from '../domain/screening/quarantine';
import { html } from '../email/html';
import type { ErrorLogger } from './error-responses';
import { readFormBody } from './form-body';
import { linkProblem, messagePage, page } from './html';
import { httpHandler } from './middleware';
import { htmlResponse } from './responses';

const NEXT_STEP = 'A reviewer may have decided already; `npx leadgate quarantine list` shows what is still held.';

/** One held submission with a button to release and one to discard; they POST back to the link. */
export function reviewPage(held: Extract<ReviewPreview, { status: 'open' }>, token: string): string {
  const when = `${held.at.slice(0, 16).replace('T', ' ')} UTC`;
  return page(
    'Review a held submission',
    html`<h1>Review a held submission</h1>
<p>${held.maskedEmail}, form ${held.formId}, ${when}. Held for: ${held.reasons.join(', ')}.</p>
<p>Release it if it is genuine: it is then merged and routed as if it had passed screening. Discard it otherwise: nothing of it is kept.</p>
<form method="post" action="?t=${encodeURIComponent(token)}">
<button type="submit" name="decision" value="release">Release</button>
<button type="submit" name="decision" value="discard">Discard</button>
</form>`,
  );
}

/**
 * GET /quarantine/review shows one held submission from a reviewer's digest (masked address,
 * form, time, reasons) with two buttons, and changes nothing, so mail scanners decide nothing;
 * the POST releases or discards it, once.
 */
export function createReviewHandler(deps: QuarantineDeps & { keyring: Keyring }, logger: ErrorLogger) {
  return httpHandler(logger).handler(async (event) => {
    const token = event.queryStringParameters?.t ?? '';
    if (event.requestContext.http.method === 'GET') {
      const preview = await previewReview(deps, token);
      if (preview.status !== 'open') return linkProblem(preview.status, NEXT_STEP);
      return htmlResponse(200, reviewPage(preview, token));
    }
    const decision: ReviewDecision = readFormBody(event).decision === 'discard' ? 'discard' : 'release';
    const outcome = await decideReview(deps, token, decision);
    if (outcome === 'released') return htmlResponse(200, messagePage('Released', 'The submission is on its way to routing, as if it had passed screening.'));
    if (outcome === 'discarded') return htmlResponse(200, messagePage('Discarded', 'The submission is discarded; nothing personal of it is kept.'));
    return linkProblem(outcome, NEXT_STEP);
  });
}
