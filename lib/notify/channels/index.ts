import type { ChannelConfig, NotificationsConfig } from '../../config/notifications';
import { resolveSecret, type SecretOptions } from '../secrets';
import type { Channel } from './channel';
import { dingtalkChannel, feishuChannel, slackChannel, webhookChannel, wecomChannel } from './chat';
import { emailChannel } from './email';

export * from './channel';
export * from './chat';
export * from './email';

export interface BuildOptions extends SecretOptions {
  signNow?: () => number;
  /** SES client for tests (loopback endpoint and credentials). */
  sesClient?: unknown;
}

/**
 * One Channel per configured entry, secrets resolved now. A channel whose secret cannot be read
 * still exists and fails every send as `auth` with the reason, so its notices fail loudly (once)
 * and reach the failure queue instead of vanishing.
 */
export async function buildChannels(config: NotificationsConfig, options: BuildOptions = {}): Promise<Map<string, Channel>> {
  const out = new Map<string, Channel>();
  for (const c of config.channels) {
    try {
      out.set(c.name, await buildChannel(c, options));
    } catch (e) {
      const message = (e as Error).message;
      out.set(c.name, {
        name: c.name,
        type: c.type,
        limits: { maxBytes: 4096, maxItems: 200, perMinute: 60 },
        itemBytes: () => 1,
        overheadBytes: () => 0,
        send: async () => ({ ok: false, kind: 'auth', code: 'SecretUnavailable', message }),
      });
    }
  }
  return out;
}

async function buildChannel(c: ChannelConfig, o: BuildOptions): Promise<Channel> {
  const common = { name: c.name, ...(c.perMinute !== undefined && { perMinute: c.perMinute }), ...(o.signNow && { signNow: o.signNow }) };
  if (c.type === 'email') {
    const t = c.transport;
    const transport =
      t.kind === 'ses'
        ? { kind: 'ses' as const, ...(t.region && { region: t.region }), ...(t.endpoint && { endpoint: t.endpoint }), ...(o.sesClient !== undefined && { client: o.sesClient }) }
        : {
            kind: 'smtp' as const,
            host: t.host,
            port: t.port,
            secure: t.secure,
            ...(t.user && { user: await resolveSecret(c.name, 'transport.user', t.user, o) }),
            ...(t.password && { password: await resolveSecret(c.name, 'transport.password', t.password, o) }),
          };
    return emailChannel({ name: c.name, from: c.from, to: c.to, transport, ...(c.perMinute !== undefined && { perMinute: c.perMinute }) });
  }
  const url = await resolveSecret(c.name, 'url', c.url, o);
  const secret = 'secret' in c && c.secret ? await resolveSecret(c.name, 'secret', c.secret, o) : undefined;
  const secrets = { url, ...(secret !== undefined && { secret }) };
  switch (c.type) {
    case 'dingtalk':
      return dingtalkChannel({ ...common, secrets });
    case 'wecom':
      return wecomChannel({ ...common, secrets });
    case 'feishu':
      return feishuChannel({ ...common, secrets });
    case 'slack':
      return slackChannel({ ...common, secrets });
    case 'webhook':
      return webhookChannel({ ...common, secrets });
  }
}
