import { z } from 'zod';
import { bool, int, name, nonEmpty, timeZone } from './fields';

/**
 * `notifications`: where notices go (lib/notify). Webhook URLs carry keys and signing secrets are
 * secrets, so the file names an environment variable or an SSM parameter, never the value.
 */

export const secretSourceSchema = z.union(
  [
    z.strictObject({ env: nonEmpty('the name of an environment variable') }),
    z.strictObject({ parameter: nonEmpty('the name of an SSM parameter') }),
  ],
  { error: 'expected { env: NAME } or { parameter: /ssm/name } (never the secret itself)' },
);
export type SecretSource = z.output<typeof secretSourceSchema>;

export const NOTICE_LANGUAGES = ['zh', 'en'] as const;
export const NOTICE_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type NoticeLanguage = (typeof NOTICE_LANGUAGES)[number];
export type NoticeSeverity = (typeof NOTICE_SEVERITIES)[number];

const channelCommon = {
  name,
  /** Overrides notifications.language / timeZone for this channel's readers. */
  language: z.enum(NOTICE_LANGUAGES).optional(),
  timeZone: timeZone.optional(),
  /** Messages per minute; default the vendor's documented limit (lib/notify/DECISIONS.md). */
  perMinute: int(1).optional(),
};

const secretUrl = { url: secretSourceSchema };

export const channelSchema = z.discriminatedUnion('type', [
  /** DingTalk custom robot; `secret` = the 加签 (SEC...) security setting. */
  z.strictObject({ ...channelCommon, ...secretUrl, type: z.literal('dingtalk'), secret: secretSourceSchema.optional() }),
  /** WeCom (企业微信) group robot; the key is in the URL. */
  z.strictObject({ ...channelCommon, ...secretUrl, type: z.literal('wecom') }),
  /** Feishu / Lark custom bot; `secret` = its signature-verification secret. */
  z.strictObject({ ...channelCommon, ...secretUrl, type: z.literal('feishu'), secret: secretSourceSchema.optional() }),
  /** Slack incoming webhook. */
  z.strictObject({ ...channelCommon, ...secretUrl, type: z.literal('slack') }),
  /** Any HTTPS endpoint: JSON body signed with HMAC-SHA256 (X-Signature-256, over `timestamp.body`). */
  z.strictObject({ ...channelCommon, ...secretUrl, type: z.literal('webhook'), secret: secretSourceSchema }),
  z.strictObject({
    ...channelCommon,
    type: z.literal('email'),
    from: nonEmpty('a sender address'),
    to: z.array(nonEmpty('a recipient address')).min(1, { error: 'expected at least one recipient' }),
    /** SES where the region offers it; SMTP elsewhere (e.g. the AWS China regions). */
    transport: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('ses'), region: nonEmpty('an AWS region').optional(), endpoint: z.url().optional() }),
      z.strictObject({
        kind: z.literal('smtp'),
        host: nonEmpty('an SMTP host name'),
        port: int(1, 65535).default(465),
        /** TLS from the first byte (port 465); false = plain, upgraded by STARTTLS when offered. */
        secure: bool.default(true),
        user: secretSourceSchema.optional(),
        password: secretSourceSchema.optional(),
      }),
    ]),
  }),
]);
export type ChannelConfig = z.output<typeof channelSchema>;

const names = (what: string) => z.array(nonEmpty(what)).min(1).optional();

export const routeSchema = z.strictObject({
  /** Every listed field must match (a list = any of its values); an empty match takes all notices. */
  match: z
    .strictObject({
      detailTypes: names('a detail-type, e.g. "Renewal Reminder"'),
      functions: names('a function name'),
      policies: names('a policy name'),
      targets: names('a target name'),
      severities: z.array(z.enum(NOTICE_SEVERITIES)).min(1).optional(),
      owners: names('an owner (tag value)'),
    })
    .prefault({}),
  channels: z.array(name).default([]),
  /** Also deliver to the owner's channels (notifications.owners); owners not listed go to `channels`. */
  toOwner: bool.default(false),
});
export type RouteConfig = z.output<typeof routeSchema>;

export const notificationsSchema = z
  .strictObject({
    language: z.enum(NOTICE_LANGUAGES).default('zh'),
    timeZone: timeZone.default('Asia/Shanghai'),
    channels: z.array(channelSchema).default([]),
    /** Omitted: every notice goes to every channel. */
    routes: z.array(routeSchema).optional(),
    /** Owner tag value -> where that owner reads, and the mobile DingTalk @-mentions. */
    owners: z
      .record(
        nonEmpty('an owner (tag value)'),
        z.strictObject({ channels: z.array(name).default([]), mobile: z.string().regex(/^\+?\d{5,20}$/, { error: 'expected a mobile number' }).optional() }),
      )
      .default({}),
    /** Vendor -> console URL template with {id} and {region}; shown as the resource's link. */
    consoleLinks: z.partialRecord(z.enum(['tencent', 'kec', 'alibaba', 'cecstack']), z.string().regex(/\{id\}/, { error: 'expected a URL template containing {id}' })).optional(),
    /** Messages carrying more notices than this show one line per notice (DingTalk, WeCom, Feishu). */
    compactAbove: int(0).default(10),
    /** How long to wait for a rate-limited channel in one invocation before leaving it to a retry. */
    maxWaitSeconds: int(0).default(60),
  })
  .superRefine((n, ctx) => {
    const known = new Set<string>();
    n.channels.forEach((c, i) => {
      if (known.has(c.name)) ctx.addIssue({ code: 'custom', path: ['channels', i, 'name'], message: `channel name "${c.name}" is used twice; give each channel its own name` });
      known.add(c.name);
    });
    const check = (list: string[], path: (string | number)[]) =>
      list.forEach((c, i) => {
        if (!known.has(c)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `unknown channel "${c}"; notifications.channels names: ${[...known].join(', ') || '(none)'}` });
      });
    n.routes?.forEach((r, i) => check(r.channels, ['routes', i, 'channels']));
    for (const [owner, o] of Object.entries(n.owners)) check(o.channels, ['owners', owner, 'channels']);
  })
  .prefault({});
export type NotificationsConfig = z.output<typeof notificationsSchema>;
