import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { clearRegisteredSecrets, redactText } from '../../lib/audit/redact';
import { notificationsSchema } from '../../lib/config/notifications';
import { buildChannels, renderNotice, resolveSecret, texts, toNotice } from '../../lib/notify';
import { clearSsmCache } from '../../lib/runtime/ssm-config';
import { wecomReceiver } from '../support/notify-receivers';
import { purgeEvent } from './fixtures';

/** An SSM stand-in for Powertools Parameters: GetParameter from a map, counting reads. */
function fakeSsm(values: Record<string, string>) {
  const reads: string[] = [];
  const client = {
    send: async (cmd: { input: { Name: string; WithDecryption?: boolean } }) => {
      reads.push(cmd.input.Name);
      if (!cmd.input.WithDecryption) throw new Error('SecureString read without decryption');
      if (cmd.input.Name.startsWith('/denied/')) throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
      const value = values[cmd.input.Name];
      if (value === undefined) throw Object.assign(new Error('not found'), { name: 'ParameterNotFound' });
      return { Parameter: { Value: value } };
    },
    config: {},
    middlewareStack: { identify: () => [], addRelativeTo: () => undefined },
  };
  return { ssm: client as unknown as SSMClient, reads };
}

// Only Date is faked: the parameter cache ages on it; promises and the SDK keep real timers.
const realTimers = ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] as const;
const OLD = 'https://oapi.dingtalk.com/robot/send?access_token=old0123456789abcdef';
const NEW = 'https://oapi.dingtalk.com/robot/send?access_token=new0123456789abcdef';
const PARAM = '/cloud-automation/prod/notify/ops-url';

beforeEach(() => clearSsmCache());
afterEach(() => {
  jest.useRealTimers();
  clearRegisteredSecrets();
});

describe('channel secrets from SSM', () => {
  it('are read through the shared parameter cache: a rotated webhook is picked up once the cache age has passed', async () => {
    jest.useFakeTimers({ doNotFake: [...realTimers], now: new Date('2026-12-02T02:00:00Z') });
    const values: Record<string, string> = { [PARAM]: OLD };
    const { ssm, reads } = fakeSsm(values);
    expect(await resolveSecret('ops', 'url', { parameter: PARAM }, { ssm, maxAgeSeconds: 300 })).toBe(OLD);
    values[PARAM] = NEW; // the operator rotates the robot's webhook
    jest.setSystemTime(new Date('2026-12-02T02:04:59Z'));
    expect(await resolveSecret('ops', 'url', { parameter: PARAM }, { ssm, maxAgeSeconds: 300 })).toBe(OLD);
    expect(reads).toEqual([PARAM]); // served from the cache
    jest.setSystemTime(new Date('2026-12-02T02:05:01Z'));
    expect(await resolveSecret('ops', 'url', { parameter: PARAM }, { ssm, maxAgeSeconds: 300 })).toBe(NEW);
    expect(reads).toEqual([PARAM, PARAM]);
    expect(redactText('posted to new0123456789abcdef')).toBe('posted to [REDACTED]');
  });

  it('take the cache age from POWERTOOLS_PARAMETERS_MAX_AGE, and rebuilt channels post to the rotated robot', async () => {
    jest.useFakeTimers({ doNotFake: [...realTimers], now: new Date('2026-12-02T02:00:00Z') });
    const oldRobot = await wecomReceiver({ key: 'k-old-0123456789abcdef', now: () => 0 });
    const newRobot = await wecomReceiver({ key: 'k-new-0123456789abcdef', now: () => 0 });
    try {
      const values: Record<string, string> = { [PARAM]: oldRobot.url };
      const { ssm } = fakeSsm(values);
      const env = { POWERTOOLS_PARAMETERS_MAX_AGE: '60' };
      const config = notificationsSchema.parse({ channels: [{ name: 'ops', type: 'wecom', url: { parameter: PARAM } }] });
      const item = renderNotice(toNotice(purgeEvent()), { language: 'en', timeZone: 'UTC' });
      const message = { header: 'h', items: [item], texts: texts('en') };
      expect(await (await buildChannels(config, { ssm, env })).get('ops')!.send(message)).toMatchObject({ ok: true });
      values[PARAM] = newRobot.url;
      jest.setSystemTime(new Date('2026-12-02T02:01:01Z'));
      expect(await (await buildChannels(config, { ssm, env })).get('ops')!.send(message)).toMatchObject({ ok: true });
      expect([oldRobot.posts.length, newRobot.posts.length]).toEqual([1, 1]);
    } finally {
      await oldRobot.close();
      await newRobot.close();
    }
  });

  it('name the channel, the parameter and the problem, never a value; a failed read is not cached', async () => {
    const values: Record<string, string> = {};
    const { ssm } = fakeSsm(values);
    await expect(resolveSecret('ops', 'url', { parameter: PARAM }, { ssm })).rejects.toThrow(`notifications channel "ops": SSM parameter ${PARAM} (url) does not exist`);
    await expect(resolveSecret('ops', 'secret', { parameter: '/denied/x' }, { ssm })).rejects.toThrow('notifications channel "ops": cannot read SSM parameter /denied/x (secret): AccessDeniedException');
    values[PARAM] = NEW;
    expect(await resolveSecret('ops', 'url', { parameter: PARAM }, { ssm })).toBe(NEW);
  });
});
