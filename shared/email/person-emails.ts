import type { Lead } from '../domain/core/lead';
import type { OutgoingEmail, PersonEmails } from '../domain/core/ports';
import type { LeadgateSettings } from '../domain/core/settings';
import { renderTemplate } from '../domain/nurture/template';
import { escapeHtml, headerText, senderLine } from './escape';
import { emailDocument, html, trusted } from './html';
import { privacyPageUrl } from '../domain/core/links';

/**
 * Emails to leads. Every marketing email carries what CAN-SPAM and RFC 8058 ask for: a working
 * one-click unsubscribe (header and visible link), who sent it and the postal address.
 */
export function personEmails(settings: LeadgateSettings, publicUrl?: string): PersonEmails {
  const { organization } = settings;
  // Every email to a person says where they can see, correct or erase what is held about them.
  const yourData = publicUrl ? privacyPageUrl(publicUrl) : undefined;
  const dataText = yourData ? `\nYour data (a copy, a correction or erasure): ${yourData}` : '';
  const dataHtml = yourData && html`<br><a href="${yourData}">Your data</a>: a copy, a correction or erasure.`;
  return {
    nurtureStep(lead: Lead, sequenceId: string, index: number, unsubscribeUrl: string): OutgoingEmail {
      const sequence = settings.nurture.sequences[sequenceId]!;
      const step = sequence.steps[index]!;
      const purpose = settings.purposes[sequence.purpose];
      const consent = lead.consents[sequence.purpose];
      const why = `You receive this because you agreed to "${purpose?.description ?? sequence.purpose}" from ${organization.name}${consent ? ` on ${consent.at.slice(0, 10)}` : ''}.`;
      const textFooter = `\n\n--\n${why}\nUnsubscribe with one click, no login needed: ${unsubscribeUrl}${dataText}\n${senderLine(organization)}\n`;
      const htmlFooter = html`<hr><p style="color:#555;font-size:12px">${why}<br>
<a href="${unsubscribeUrl}">Unsubscribe</a> with one click, no login needed.${dataHtml}<br>
${senderLine(organization)}</p>`;
      const subject = headerText(renderTemplate(step.subject, lead.fields));
      return {
        to: lead.email,
        subject,
        text: renderTemplate(step.text, lead.fields) + textFooter,
        // The step's HTML is the operator's (config); the lead's fields in it are escaped.
        html: emailDocument(subject, html`${trusted(renderTemplate(step.html, lead.fields, escapeHtml))}${htmlFooter}`),
        headers: {
          'List-Unsubscribe': `<${unsubscribeUrl}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      };
    },

    confirmation(lead: Lead, formId: string, confirmUrl: string): OutgoingEmail {
      const form = settings.forms[formId];
      const purposes = Object.keys(form?.purposes ?? {}).map((id) => settings.purposes[id]?.description ?? id);
      const text = `Someone, hopefully you, asked ${organization.name} to send this address: ${purposes.join('; ')}

To confirm, open this link and press the button on the page:
${confirmUrl}

If it was not you, ignore this email: nothing more will be sent, and the request is deleted within ${settings.retention.unconfirmedDays} days.
${dataText}
${senderLine(organization)}
`;
      const subject = headerText(`Please confirm your subscription to ${organization.name}`);
      return {
        to: lead.email,
        subject,
        text,
        html: emailDocument(
          subject,
          html`<p>Someone, hopefully you, asked ${organization.name} to send this address: ${purposes.join('; ')}</p>
<p><a href="${confirmUrl}">Confirm my subscription</a></p>
<p>If it was not you, ignore this email: nothing more will be sent, and the request is deleted within ${settings.retention.unconfirmedDays} days.</p>
<p style="color:#555;font-size:12px">${senderLine(organization)}${dataHtml}</p>`,
        ),
      };
    },
  };
}
