import type { HeldForReview, ReviewDigestEmail } from '../domain/screening/review-digest';
import type { LeadgateSettings } from '../domain/core/settings';
import { headerText } from './escape';
import { emailDocument, html } from './html';

const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/**
 * The reviewers' digest: each held submission (masked address, form, time, reasons) with its own
 * link to a page that releases or discards it. Each link works once, for 7 days.
 */
export function reviewDigestEmail(settings: LeadgateSettings): ReviewDigestEmail {
  return (reviewer: string, held: HeldForReview[]) => {
    const subject = headerText(`${held.length} held submission${held.length === 1 ? '' : 's'} to review (${settings.organization.name})`);
    const line = (h: HeldForReview) => `- ${h.maskedEmail}, form ${h.formId}, ${when(h.at)}: held for ${h.reasons.join(', ')}\n  Review: ${h.reviewUrl}`;
    const text = `Screening held these submissions back: nothing of them reached a lead, a rep or a list.
Release each one that is genuine, discard the rest. Each link works once, for 7 days.

${held.map(line).join('\n')}
`;
    const body = html`<p>Screening held these submissions back: nothing of them reached a lead, a rep or a list.
Release each one that is genuine, discard the rest. Each link works once, for 7 days.</p>
<ul>${held.map((h) => html`<li>${h.maskedEmail}, form ${h.formId}, ${when(h.at)}: held for ${h.reasons.join(', ')}. <a href="${h.reviewUrl}">Review</a></li>`)}</ul>`;
    return { to: reviewer, subject, text, html: emailDocument(subject, body) };
  };
}
