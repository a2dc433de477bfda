import { redactText } from '../../audit/redact';
import { itemText } from '../render';
import { bytes, type Channel, type ChannelLimits, type SendOutcome } from './channel';

export interface SesTransport {
  kind: 'ses';
  region?: string;
  endpoint?: string;
  /** Tests hand in a client with loopback credentials. */
  client?: unknown;
}
export interface SmtpTransport {
  kind: 'smtp';
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
}

export interface EmailOptions {
  name: string;
  from: string;
  to: string[];
  transport: SesTransport | SmtpTransport;
  perMinute?: number;
}

const SEP = '\n\n';

/** E-mail through SES (v2 SendEmail) or SMTP (nodemailer); each library is loaded on first send only. */
export function emailChannel(o: EmailOptions): Channel {
  const limits: ChannelLimits = { maxBytes: 200_000, maxItems: 300, perMinute: o.perMinute ?? (o.transport.kind === 'ses' ? 60 : 30) };
  const send = o.transport.kind === 'ses' ? sesSender(o, o.transport) : smtpSender(o, o.transport);
  return {
    name: o.name,
    type: 'email',
    limits,
    itemBytes: (i) => bytes(itemText(i)) + bytes(SEP),
    overheadBytes: (h) => bytes(h) * 2 + 64,
    send: (message) => send(message.header, [message.header, ...message.items.map(itemText)].join(SEP)),
  };
}

type Sender = (subject: string, text: string) => Promise<SendOutcome>;

function sesSender(o: EmailOptions, t: SesTransport): Sender {
  let client: Promise<{ send(c: unknown): Promise<{ MessageId?: string }> }> | undefined;
  return async (subject, text) => {
    const { SESv2Client, SendEmailCommand } = await import('@aws-sdk/client-sesv2');
    client ??= Promise.resolve(
      (t.client as never) ?? new SESv2Client({ ...(t.region && { region: t.region }), ...(t.endpoint && { endpoint: t.endpoint }) }),
    );
    try {
      const out = await (await client).send(
        new SendEmailCommand({
          FromEmailAddress: o.from,
          Destination: { ToAddresses: o.to },
          Content: { Simple: { Subject: { Data: subject, Charset: 'UTF-8' }, Body: { Text: { Data: text, Charset: 'UTF-8' } } } },
        }),
      );
      return { ok: true, ...(out.MessageId && { messageId: out.MessageId }) };
    } catch (e) {
      const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
      const code = err.name ?? 'Error';
      const message = redactText(err.message ?? '');
      if (/TooManyRequests|Throttl|LimitExceeded/.test(code)) return { ok: false, kind: 'throttled', code, message, retryAfterMs: 1_000 };
      if (/AccessDenied|UnrecognizedClient|InvalidSignature|SignatureDoesNotMatch|InvalidClientTokenId|ExpiredToken/.test(code)) return { ok: false, kind: 'auth', code, message };
      if ((err.$metadata?.httpStatusCode ?? 500) >= 500) return { ok: false, kind: 'transient', code, message };
      return { ok: false, kind: 'rejected', code, message }; // MessageRejected, MailFromDomainNotVerified, SendingPaused, ...
    }
  };
}

function smtpSender(o: EmailOptions, t: SmtpTransport): Sender {
  let transporter: Promise<{ sendMail(m: object): Promise<{ messageId?: string }> }> | undefined;
  return async (subject, text) => {
    transporter ??= import('nodemailer').then((m) =>
      m.default.createTransport({
        host: t.host,
        port: t.port,
        secure: t.secure,
        ...(t.user !== undefined && { auth: { user: t.user, pass: t.password ?? '' } }),
      }),
    );
    try {
      const info = await (await transporter).sendMail({ from: o.from, to: o.to, subject, text });
      return { ok: true, ...(info.messageId && { messageId: info.messageId }) };
    } catch (e) {
      const err = e as { code?: string; responseCode?: number; message?: string };
      const code = err.code ?? (err.responseCode ? `SMTP${err.responseCode}` : 'Error');
      const message = redactText(err.message ?? '');
      if (err.code === 'EAUTH' || err.responseCode === 535 || err.responseCode === 530) return { ok: false, kind: 'auth', code, message };
      if (err.responseCode === 421 || err.responseCode === 450 || err.responseCode === 451 || err.responseCode === 452) return { ok: false, kind: 'throttled', code, message, retryAfterMs: 30_000 };
      if (err.responseCode !== undefined && err.responseCode >= 500) return { ok: false, kind: 'rejected', code, message };
      return { ok: false, kind: 'transient', code, message };
    }
  };
}
