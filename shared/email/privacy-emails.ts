import type { PrivacyEmails, PrivacyRequestType } from '../domain/privacy/privacy';
import type { LeadgateSettings } from '../domain/core/settings';
import { senderLine } from './escape';
import { emailDocument, type Html, html, multiline } from './html';
import { privacyPageUrl } from '../domain/core/links';

const WHAT: Record<PrivacyRequestType, string> = {
  access: 'a copy of the data we hold about you',
  erasure: 'the erasure of the data we hold about you',
  rectification: 'to correct the data we hold about you',
};

/** Emails answering privacy requests; sent only to the address the request names. */
export function privacyEmails(settings: LeadgateSettings, publicUrl?: string): PrivacyEmails {
  const { name } = settings.organization;
  const sender = senderLine(settings.organization);
  const yourData = publicUrl ? privacyPageUrl(publicUrl) : undefined;
  const dataText = yourData ? `\nAsk again at any time: ${yourData}` : '';
  const dataHtml = yourData && html`<br>Ask again at any time: <a href="${yourData}">your data</a>.`;
  const subject = `Your privacy request to ${name}`;
  const wrap = (body: Html) => emailDocument(subject, body);
  return {
    link(to, type, url) {
      const text = `Someone, hopefully you, asked ${name} for ${WHAT[type]}.\n\nOpen this link within 24 hours and press the button to go ahead (it works once):\n${url}\n\nIf it was not you, ignore this email: nothing happens.\n${dataText}\n${sender}\n`;
      return {
        to,
        subject,
        text,
        html: wrap(
          html`<p>Someone, hopefully you, asked ${name} for ${WHAT[type]}.</p><p><a href="${url}">Continue with your request</a> (within 24 hours; the link works once).</p><p>If it was not you, ignore this email: nothing happens.</p><p style="color:#555;font-size:12px">${sender}${dataHtml}</p>`,
        ),
      };
    },
    nothingHeld(to, type) {
      const text = `Someone, hopefully you, asked ${name} for ${WHAT[type]}. We hold no personal data for this address, so there is nothing to do.\n${dataText}\n${sender}\n`;
      return { to, subject, text, html: wrap(html`<p>${multiline(text)}</p>`) };
    },
  };
}
