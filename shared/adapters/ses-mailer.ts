import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Mailer, OutgoingEmail } from '../domain/core/ports';
import { headerText } from '../email/escape';

/**
 * Sends through SES v2 SendEmail with simple content: SES builds the MIME, and custom headers
 * (List-Unsubscribe, ...) travel as `Headers`.
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly from: string,
    private readonly configurationSet?: string,
  ) {}

  async send(email: OutgoingEmail): Promise<void> {
    await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: this.from,
        Destination: { ToAddresses: [email.to] },
        ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
        ...(email.tags ? { EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value })) } : {}),
        Content: {
          Simple: {
            // Cleaned again here, whoever composed them: no line break may reach a header.
            Subject: { Data: headerText(email.subject, 998), Charset: 'UTF-8' },
            Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
            ...(email.headers
              ? { Headers: Object.entries(email.headers).map(([Name, Value]) => ({ Name: headerText(Name, 76), Value: headerText(Value, 998) })) }
              : {}),
          },
        },
      }),
    );
  }
}
