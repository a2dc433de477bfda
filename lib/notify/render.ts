import type { NoticeLanguage, NoticeSeverity, NotificationsConfig } from '../config/notifications';
import type { Notice } from './notice';

/** One notice as people read it, before a channel's markup is applied. */
export interface RenderedItem {
  key: string;
  severity: NoticeSeverity;
  title: string;
  fields: [label: string, value: string][];
  link?: { text: string; url: string };
  /** What the reader should do. */
  todo: string;
  /** The one-line form used when a message carries many notices (notifications.compactAbove). */
  line: string;
  /** DingTalk @-mentions (owner mobiles). */
  mobiles: string[];
}

export interface RenderOptions {
  language: NoticeLanguage;
  timeZone: string;
  consoleLinks?: NotificationsConfig['consoleLinks'];
  owners?: NotificationsConfig['owners'];
}

/** `2026-12-09 17:00 (UTC+08:00)` in the reader's zone. */
export function formatTime(iso: string | undefined, timeZone: string): string {
  if (!iso) return '-';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(t)
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!);
  const offsetMin = Math.round((local - Math.floor(t.getTime() / 60_000) * 60_000) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} (UTC${offset})`;
}

const T = {
  zh: {
    where: '位置',
    owner: '负责人',
    expires: '到期时间',
    daysLeft: (n: number) => `${n} 天后到期`,
    quote: '续费报价',
    months: (n: number) => `${n} 个月`,
    autoRenew: '自动续费',
    on: '已开启',
    planned: '本次开启',
    off: '未开启',
    console: '控制台',
    purgeAt: '彻底删除时间',
    policyAction: '策略动作',
    dueAt: '删除时间',
    source: '来源',
    reclaimAt: '回收时间',
    price: '价格',
    threshold: '阈值',
    instances: '受影响实例',
    quota: '配额',
    error: '错误',
    reason: '原因',
    policy: '策略',
    state: '状态',
    none: '(无)',
    reminder: (name: string, days: number) => `续费提醒:${name} ${days} 天后到期`,
    reminderTodo: '请在控制台续费或开启自动续费;无需续费请打标签 automation-exempt=true(或填到期时间暂缓提醒)。',
    renewPlanned: '本次运行将在预算内自动续费。',
    lapsed: (name: string, state: string) => `已到期:${name}(${state})`,
    lapsedTodo: '续费可恢复使用;不再需要请释放。',
    digest: (r: number, l: number) => `续费汇总:${r} 条提醒,${l} 台已到期`,
    digestTodo: '逐台续费或开启自动续费。',
    purge: (name: string) => `回收站即将彻底删除:${name}`,
    purgeTodo: (at: string) => `如仍需要,请在 ${at} 前从回收站恢复;彻底删除后无法找回。`,
    autoDelete: (name: string) => `即将自动删除:${name}`,
    autoDeleteTodo: '要保留请修改或删除 auto-delete-at 标签,或打标签 automation-exempt(填到期时间即暂缓)。',
    spotPrice: (zone: string, type: string) => `竞价价格告警:${zone} ${type}`,
    spotPriceTodo: '考虑更换可用区或机型,或调整出价上限。',
    reclaim: (name: string) => `竞价实例即将被回收:${name}`,
    reclaimTodo: '请尽快保存数据,准备替换实例。',
    quotaTitle: (policy: string) => `快照配额不足:策略 ${policy}`,
    quotaTodo: '请提高快照配额或收紧保留策略。',
    failed: (action: string, id: string) => `操作失败:${action} ${id}`,
    failedTodo: (id: string) => `查看审计记录:cloud-automation audit --resource ${id}`,
    refused: (name: string) => `续费未执行:${name}`,
    budget: '续费预算',
    refusedTodo: '报价超出预算或无可用报价,本次不会自动续费:请提高策略的 renew.budget(币种、时长与报价一致),或在到期前到控制台手动续费。',
    autoDeleteDigest: (n: number) => `自动删除汇总:${n} 台即将删除`,
    purgeDigest: (n: number) => `回收站清理汇总:${n} 项即将彻底删除`,
    purgeDigestTodo: '仍需要的请在各自的彻底删除时间前从回收站恢复;彻底删除后无法找回。',
    source_: '源',
    createdAt: '创建时间',
    seenAt: '检查时间',
    snapReady: (name: string) => `快照已就绪:${name}`,
    snapReadyTodo: '无需处理。',
    snapFailed: (name: string) => `快照创建失败:${name}`,
    snapFailedTodo: '请在云厂商控制台查看失败原因(磁盘状态、配额、欠费);此时段没有可用备份,需要时请手动补拍快照,并删除失败的快照。',
    snapStuck: (name: string) => `快照长时间未就绪:${name}`,
    snapStuckTodo: '请在云厂商控制台查看该快照的进度;长时间无进展请提交工单。就绪前此时段没有可用备份。',
    header: (n: number) => `云资源通知(${n} 条)`,
    part: (i: number, n: number) => `第 ${i}/${n} 部分`,
  },
  en: {
    where: 'Where',
    owner: 'Owner',
    expires: 'Expires',
    daysLeft: (n: number) => `expires in ${n} day${n === 1 ? '' : 's'}`,
    quote: 'Renewal quote',
    months: (n: number) => `${n} month${n === 1 ? '' : 's'}`,
    autoRenew: 'Auto-renew',
    on: 'on',
    planned: 'turned on by this run',
    off: 'off',
    console: 'Console',
    purgeAt: 'Purged at',
    policyAction: 'Policy action',
    dueAt: 'Deleted at',
    source: 'Source',
    reclaimAt: 'Reclaimed at',
    price: 'Price',
    threshold: 'Threshold',
    instances: 'Instances affected',
    quota: 'Quota',
    error: 'Error',
    reason: 'Reason',
    policy: 'Policy',
    state: 'State',
    none: '(none)',
    reminder: (name: string, days: number) => `Renewal reminder: ${name} expires in ${days} day${days === 1 ? '' : 's'}`,
    reminderTodo: 'Renew it in the console or turn on auto-renew; if it should lapse, tag it automation-exempt=true (or an ISO time to snooze).',
    renewPlanned: 'This run renews it within the policy budget.',
    lapsed: (name: string, state: string) => `Expired: ${name} (${state})`,
    lapsedTodo: 'Renew it to bring it back, or release it if it is no longer needed.',
    digest: (r: number, l: number) => `Renewal digest: ${r} reminders, ${l} expired`,
    digestTodo: 'Renew each, or turn on auto-renew.',
    purge: (name: string) => `Recycle bin purge ahead: ${name}`,
    purgeTodo: (at: string) => `Restore it from the recycle bin before ${at} if it is still needed; a purge cannot be undone.`,
    autoDelete: (name: string) => `Scheduled deletion ahead: ${name}`,
    autoDeleteTodo: 'To keep it, change or remove its auto-delete-at tag, or tag it automation-exempt (an ISO time snoozes until then).',
    spotPrice: (zone: string, type: string) => `Spot price alert: ${zone} ${type}`,
    spotPriceTodo: 'Consider another zone or instance type, or raise the bid ceiling.',
    reclaim: (name: string) => `Spot instance about to be reclaimed: ${name}`,
    reclaimTodo: 'Save its data now and prepare a replacement.',
    quotaTitle: (policy: string) => `Snapshot quota exhausted: policy ${policy}`,
    quotaTodo: 'Raise the snapshot quota or tighten the retention.',
    failed: (action: string, id: string) => `Action failed: ${action} ${id}`,
    failedTodo: (id: string) => `See the audit trail: cloud-automation audit --resource ${id}`,
    refused: (name: string) => `Renewal refused: ${name}`,
    budget: 'Renewal budget',
    refusedTodo: 'The quote is over budget or none could be had, so this run does not renew it: raise renew.budget in the policy (same currency and period as the quote), or renew it by hand in the console before it expires.',
    autoDeleteDigest: (n: number) => `Auto-delete digest: ${n} deletion${n === 1 ? '' : 's'} ahead`,
    purgeDigest: (n: number) => `Recycle bin digest: ${n} purge${n === 1 ? '' : 's'} ahead`,
    purgeDigestTodo: 'Restore each item still needed from the recycle bin before its purge time; a purge cannot be undone.',
    source_: 'Source',
    createdAt: 'Taken at',
    seenAt: 'Checked at',
    snapReady: (name: string) => `Snapshot ready: ${name}`,
    snapReadyTodo: 'Nothing to do.',
    snapFailed: (name: string) => `Snapshot failed: ${name}`,
    snapFailedTodo: 'Check the vendor console for the cause (disk state, quota, arrears); this slot has no usable backup: take one by hand if needed, and delete the failed snapshot.',
    snapStuck: (name: string) => `Snapshot stuck in creating: ${name}`,
    snapStuckTodo: 'Check the snapshot\'s progress in the vendor console; open a ticket with the vendor if it does not move. Until it is ready this slot has no usable backup.',
    header: (n: number) => `Cloud fleet notices (${n})`,
    part: (i: number, n: number) => `part ${i}/${n}`,
  },
} as const;

export type Texts = (typeof T)[NoticeLanguage];
export const texts = (language: NoticeLanguage): Texts => T[language];

const s = (v: unknown, fallback = '-') => (typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : fallback);
const o = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/** The template of each detail-type, in the reader's language and zone. */
export function renderNotice(n: Notice, opts: RenderOptions): RenderedItem {
  const t = texts(opts.language);
  const tz = opts.timeZone;
  const d = n.detail;
  const label = n.resourceName && n.resourceName !== n.resourceId ? `${n.resourceName} (${n.resourceId})` : n.resourceId;
  const fields: [string, string][] = [];
  let title: string;
  let todo: string;
  switch (n.type) {
    case 'Renewal Reminder': {
      const days = typeof d.daysLeft === 'number' ? d.daysLeft : 0;
      title = t.reminder(label, days);
      fields.push([t.expires, formatTime(n.dueAt, tz)]);
      const q = d.quote ? o(d.quote) : undefined;
      if (q?.total !== undefined) fields.push([t.quote, `${s(q.total)} ${s(q.currency, '')} / ${t.months(Number(q.periodMonths ?? 1))}`.trim()]);
      const ar = o(d.autoRenew);
      fields.push([t.autoRenew, ar.enabled ? t.on : ar.planned ? t.planned : t.off]);
      todo = d.renewPlanned ? `${t.renewPlanned} ${t.reminderTodo}` : t.reminderTodo;
      break;
    }
    case 'Renewal Lapsed':
      title = t.lapsed(label, s(d.state));
      fields.push([t.expires, formatTime(n.dueAt, tz)]);
      todo = t.lapsedTodo;
      break;
    case 'Renewal Digest': {
      title = t.digest(Number(d.reminders ?? 0), Number(d.lapsed ?? 0));
      for (const g of Array.isArray(d.owners) ? d.owners : []) {
        const entries = Array.isArray(o(g).entries) ? (o(g).entries as unknown[]) : [];
        const list = entries.map((e) => `${s(o(e).name, '')} ${s(o(e).instanceId)}`.trim()).join(', ');
        fields.push([`${t.owner} ${s(o(g).owner, t.none)}`, list || t.none]);
      }
      todo = t.digestTodo;
      break;
    }
    case 'Renewal Refused': {
      title = t.refused(label);
      const b = o(d.budget);
      fields.push([t.expires, formatTime(n.dueAt, tz)], [t.budget, `${s(b.amount)} ${s(b.currency, '')} / ${t.months(Number(d.periodMonths ?? 1))}`]);
      if (typeof d.quoteTotal === 'string') fields.push([t.quote, `${d.quoteTotal} ${s(b.currency, '')}`.trim()]);
      fields.push([t.reason, s(d.reason)]);
      todo = t.refusedTodo;
      break;
    }
    case 'Auto Delete Digest':
    case 'Recycle Bin Purge Digest': {
      const count = Number(d.count ?? 0);
      title = n.type === 'Auto Delete Digest' ? t.autoDeleteDigest(count) : t.purgeDigest(count);
      for (const g of Array.isArray(d.owners) ? d.owners : []) {
        const entries = Array.isArray(o(g).entries) ? (o(g).entries as unknown[]) : [];
        const list = entries.map((e) => `${`${s(o(e).name, '')} ${s(o(e).resourceId)}`.trim()} · ${formatTime(s(o(e).dueAt, ''), tz)}`).join(', ');
        fields.push([`${t.owner} ${s(o(g).owner, t.none)}`, list || t.none]);
      }
      todo = n.type === 'Auto Delete Digest' ? t.autoDeleteTodo : t.purgeDigestTodo;
      break;
    }
    case 'Snapshot Ready':
    case 'Snapshot Failed':
    case 'Snapshot Stuck': {
      const kind = n.type === 'Snapshot Ready' ? 'Ready' : n.type === 'Snapshot Failed' ? 'Failed' : 'Stuck';
      title = t[`snap${kind}`](label);
      fields.push([t.source_, s(d.sourceId)], [t.createdAt, formatTime(s(d.createdAt, ''), tz)], [t.state, s(d.state)]);
      if (kind !== 'Ready') fields.push([t.seenAt, formatTime(s(d.seenAt, ''), tz)], [t.reason, s(d.message)]);
      todo = t[`snap${kind}Todo`];
      break;
    }
    case 'Recycle Bin Purge Warning':
      title = t.purge(label);
      fields.push([t.purgeAt, formatTime(n.dueAt, tz)], [t.policyAction, s(d.policyAction)]);
      todo = t.purgeTodo(formatTime(n.dueAt, tz));
      break;
    case 'Auto Delete Warning':
      title = t.autoDelete(label);
      fields.push([t.dueAt, formatTime(n.dueAt, tz)], [t.source, s(d.source)]);
      todo = t.autoDeleteTodo;
      break;
    case 'Spot Price Alert':
      title = t.spotPrice(s(d.zone), s(d.instanceType));
      fields.push([t.price, `${s(d.price)} ${s(d.currency, '')}`.trim()], [t.threshold, `${s(d.kind)} ${s(d.threshold)}`]);
      fields.push([t.instances, String(Array.isArray(d.instances) ? d.instances.length : 0)]);
      if (typeof d.message === 'string' && d.message) fields.push([t.reason, d.message]);
      todo = t.spotPriceTodo;
      break;
    case 'Spot Reclaim Alert':
      title = t.reclaim(label);
      fields.push([t.reclaimAt, formatTime(n.dueAt ?? s(d.eventAt, ''), tz)]);
      if (typeof d.message === 'string' && d.message) fields.push([t.reason, d.message]);
      todo = t.reclaimTodo;
      break;
    case 'Snapshot Quota Exhausted':
      title = t.quotaTitle(n.policy);
      fields.push([t.quota, `${s(d.used)}/${s(d.limit)} (-${s(d.shortBy)})`]);
      todo = t.quotaTodo;
      break;
    case 'Automation Action': {
      title = t.failed(s(d.action), label);
      const e = o(d.error);
      fields.push([t.policy, `${n.function} / ${n.policy}`], [t.reason, s(d.reason)], [t.error, `${s(e.code)}: ${s(e.message)}`]);
      todo = t.failedTodo(n.resourceId);
      break;
    }
  }
  fields.unshift([t.where, `${n.vendor} / ${n.target} / ${n.region}`]);
  if (n.owner !== null) fields.push([t.owner, n.owner]);
  const template = opts.consoleLinks?.[n.vendor];
  const link =
    template && n.resourceKind !== 'other' && n.resourceKind !== 'price'
      ? { text: t.console, url: template.replaceAll('{id}', encodeURIComponent(n.resourceId)).replaceAll('{region}', encodeURIComponent(n.region)) }
      : undefined;
  const mobile = n.owner !== null ? opts.owners?.[n.owner]?.mobile : undefined;
  const line = n.dueAt ? `${title} · ${formatTime(n.dueAt, tz)}` : n.type === 'Automation Action' ? `${title} · ${fields.at(-1)?.[1] ?? ''}` : title;
  return { key: n.key, severity: n.severity, title, fields, ...(link && { link }), todo, line, mobiles: mobile ? [mobile] : [] };
}

const ICON: Record<NoticeSeverity, string> = { info: 'ℹ️', warning: '⚠️', critical: '🔴' };

/** Markdown as DingTalk, WeCom and Feishu (lark_md) render it: bold, links, quotes, line breaks. */
export function itemMarkdown(item: RenderedItem, opts: { mention?: boolean } = {}): string {
  const lines = [`**${ICON[item.severity]} ${escapeMd(item.title)}**`];
  for (const [k, v] of item.fields) lines.push(`- ${k}: ${escapeMd(v)}`);
  if (item.link) lines.push(`- [${item.link.text}](${item.link.url})`);
  lines.push(`> ${escapeMd(item.todo)}`);
  if (opts.mention && item.mobiles.length) lines.push(item.mobiles.map((m) => `@${m}`).join(' '));
  return lines.join('\n');
}

/** The compact markdown line of one notice; the message states each distinct `todo` once. */
export function itemLine(item: RenderedItem, opts: { mention?: boolean } = {}): string {
  const link = item.link ? ` [${item.link.text}](${item.link.url})` : '';
  const mention = opts.mention && item.mobiles.length ? ` ${item.mobiles.map((m) => `@${m}`).join(' ')}` : '';
  return `- ${ICON[item.severity]} ${escapeMd(item.line)}${link}${mention}`;
}

/** Slack mrkdwn: *bold*, <url|text>, and &, <, > escaped as Slack documents. */
export function itemMrkdwn(item: RenderedItem): string {
  const esc = (x: string) => x.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const lines = [`*${ICON[item.severity]} ${esc(item.title)}*`];
  for (const [k, v] of item.fields) lines.push(`• ${esc(k)}: ${esc(v)}`);
  if (item.link) lines.push(`• <${item.link.url}|${esc(item.link.text)}>`);
  lines.push(`> ${esc(item.todo)}`);
  return lines.join('\n');
}

/** Plain text (e-mail bodies). */
export function itemText(item: RenderedItem): string {
  const lines = [`${ICON[item.severity]} ${item.title}`];
  for (const [k, v] of item.fields) lines.push(`  ${k}: ${v}`);
  if (item.link) lines.push(`  ${item.link.text}: ${item.link.url}`);
  lines.push(`  → ${item.todo}`);
  return lines.join('\n');
}

/** Resource names come from tags anyone can set: keep them from opening markup (these renderers take no backslash escapes). */
function escapeMd(x: string): string {
  return x.replace(/\*/g, '∗').replace(/`/g, "'").replace(/\[/g, '(').replace(/\]/g, ')');
}
