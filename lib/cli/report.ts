import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AuditRecord, AuditStore } from '../audit';
import { spotStatePath } from '../automations/spot-prices';
import { WORK_ITEM_TIME } from '../fanout/timings';
import { functionNames, type AutomationConfig } from '../config';
import type { VendorClient } from '../vendors/core';
import { displayZone, formatTime, localizeTimes, zoneOffset } from './time';

/** One dated event of the next 30 days. */
export interface TimelineEntry {
  at: string;
  kind: 'deletion' | 'purge' | 'renewal';
  target: string;
  resource: string;
  detail: string;
}

export interface ReportData {
  generatedAt: string;
  zone: string;
  offset: string;
  timeline: TimelineEntry[];
  /** The latest run of each function: outcome counts per vendor. */
  lastRuns: { function: string; runId: string; at: string; mode: string; byVendor: Record<string, Record<string, number>> }[];
  prices: { label: string; currency: string; maxPrice?: string; points: { at: string; price: string }[] }[];
  /** Refusals and warnings of the latest runs, and targets the report could not read. */
  open: { at: string; function: string; target: string; resource: string; action: string; outcome: string; reason: string }[];
}

export const HORIZON_DAYS = 30;
const DAY = 86_400_000;

/** What is due at the vendor in the next 30 days: deletion timers and tags, bin purges, prepaid expiries. */
export async function readTimeline(config: AutomationConfig, clientFor: (target: AutomationConfig['targets'][number]) => VendorClient, now: Date, problems: ReportData['open']): Promise<TimelineEntry[]> {
  const end = now.getTime() + HORIZON_DAYS * DAY;
  const within = (iso: string | undefined) => iso !== undefined && Date.parse(iso) >= now.getTime() && Date.parse(iso) <= end;
  const tags = [...new Set(config.policies.autoDelete.map((p) => p.source.tag).filter((t): t is string => Boolean(t)))];
  const softTags = [...new Set(config.policies.recycleBin.map((p) => p.softDeleteTag))];
  const out: TimelineEntry[] = [];
  for (const target of config.targets) {
    for (const region of target.regions) {
      try {
        const client = clientFor(target);
        // Tencent keeps deletion timers apart from the instance: read with the listing, a read per page
        for await (const page of client.listInstances({ region }, { autoDeleteTimers: true })) {
          for (const i of page) {
            const label = i.name && i.name !== i.id ? `${i.id} (${i.name})` : i.id;
            if (within(i.autoDeleteAt)) out.push({ at: i.autoDeleteAt!, kind: 'deletion', target: target.name, resource: label, detail: 'vendor deletion timer' });
            // a tag that is not a time is auto-delete's to report ("fix the tag"), not a reason to stop reading
            for (const tag of tags) {
              const at = isoOrUndefined(i.tags[tag]);
              if (within(at)) out.push({ at: at!, kind: 'deletion', target: target.name, resource: label, detail: `tag ${tag}` });
            }
            for (const tag of softTags) {
              const at = isoOrUndefined(i.tags[tag]);
              if (within(at)) out.push({ at: at!, kind: 'purge', target: target.name, resource: label, detail: `soft-delete bin (tag ${tag})` });
            }
            if (i.recycleBin?.purgeAt && within(i.recycleBin.purgeAt)) out.push({ at: i.recycleBin.purgeAt, kind: 'purge', target: target.name, resource: label, detail: 'vendor recycle bin' });
            if (i.chargeType === 'prepaid' && within(i.expiresAt)) out.push({ at: i.expiresAt!, kind: 'renewal', target: target.name, resource: label, detail: `prepaid expiry, renew flag ${i.renewFlag ?? 'unknown'}` });
          }
        }
        if (client.capabilities.recycleBin !== 'unsupported') {
          for await (const page of client.listRecycleBin({ region })) {
            for (const item of page) if (within(item.purgeAt)) out.push({ at: item.purgeAt!, kind: 'purge', target: target.name, resource: item.name ? `${item.id} (${item.name})` : item.id, detail: `vendor recycle bin (${item.kind})` });
          }
        }
      } catch (e) {
        problems.push({ at: now.toISOString(), function: 'report', target: target.name, resource: region, action: 'read-fleet', outcome: 'error', reason: (e as Error).message });
      }
    }
  }
  const seen = new Set<string>();
  return out
    .filter((e) => {
      const key = `${e.kind}|${e.target}|${e.resource}|${e.at}`;
      return !seen.has(key) && seen.add(key);
    })
    .sort((a, b) => a.at.localeCompare(b.at));
}

function isoOrUndefined(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The latest run of each function and what is still open, from the audit trail's query interface. */
export async function readTrail(store: AuditStore): Promise<Pick<ReportData, 'lastRuns' | 'open'>> {
  const lastRuns: ReportData['lastRuns'] = [];
  const open: ReportData['open'] = [];
  for (const fn of functionNames) {
    // records carry the wall-clock `at`; the latest run is the last one written, whatever the business time
    // the fan-out's work item times say how long, not what a run did (fanout/timings.ts)
    const records = (await store.query({ function: fn })).filter((r) => r.action !== WORK_ITEM_TIME);
    const latest = records.filter((r) => r.phase !== 'intent').at(-1);
    if (!latest) continue;
    const run = records.filter((r) => r.runId === latest.runId);
    const byVendor: Record<string, Record<string, number>> = {};
    for (const r of run) {
      if (r.phase === 'intent') continue;
      const counts = (byVendor[r.vendor] ??= {});
      const outcome = r.outcome ?? r.phase;
      counts[outcome] = (counts[outcome] ?? 0) + 1;
    }
    lastRuns.push({ function: fn, runId: latest.runId, at: latest.at, mode: latest.mode, byVendor });
    for (const r of run) if (isOpen(r)) open.push({ at: r.at, function: r.function, target: r.target, resource: r.resourceId, action: r.action, outcome: r.outcome ?? r.phase, reason: r.reason });
  }
  return { lastRuns, open };
}

const isOpen = (r: AuditRecord) => r.outcome === 'refused' || r.outcome === 'failed' || (r.phase !== 'intent' && /^(warn|alert)-/.test(r.action));

/** Spot price series from the spot-prices state file, with each policy's maxPrice threshold. */
export function readPrices(config: AutomationConfig, env: NodeJS.ProcessEnv = process.env): ReportData['prices'] {
  const path = spotStatePath(config, env);
  if (!existsSync(path)) return [];
  const state = JSON.parse(readFileSync(path, 'utf8')) as { series?: Record<string, { key: { target: string; region: string; zone: string; instanceType: string }; points: { at: string; price: string; currency: string }[] }> };
  const maxPrice = config.policies.spotPrices.map((p) => p.thresholds.maxPrice).find(Boolean);
  return Object.values(state.series ?? {})
    .filter((s) => s.points.length)
    .map((s) => ({
      label: `${s.key.target} ${s.key.zone} ${s.key.instanceType}`,
      currency: s.points[0]!.currency,
      ...(maxPrice !== undefined && { maxPrice }),
      points: s.points.map((p) => ({ at: p.at, price: p.price })),
    }));
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The self-contained page: data, styles and uPlot inlined, nothing fetched (works offline). */
export function renderReport(data: ReportData): string {
  const require = createRequire(import.meta.url);
  const uplotJs = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const uplotCss = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  const t = (iso: string) => esc(formatTime(iso, data.zone));
  const start = Date.parse(data.generatedAt);
  const pct = (iso: string) => (((Date.parse(iso) - start) / (HORIZON_DAYS * DAY)) * 100).toFixed(2);
  const markers = data.timeline.map((e) => `<span class="mark ${e.kind}" style="left:${pct(e.at)}%" title="${t(e.at)} ${e.kind}: ${esc(e.resource)}"></span>`).join('');
  const ticks = Array.from({ length: HORIZON_DAYS / 5 }, (_, i) => `<span class="tick" style="left:${((i * 5) / HORIZON_DAYS) * 100}%">${esc(formatTime(new Date(start + i * 5 * DAY), data.zone).slice(5, 10))}</span>`).join('');
  const rows = (cells: string[][]) => cells.map((c) => `<tr>${c.map((x) => `<td>${x}</td>`).join('')}</tr>`).join('');
  const timelineRows = rows(data.timeline.map((e) => [t(e.at), `<span class="pill ${e.kind}">${e.kind}</span>`, esc(e.target), esc(e.resource), esc(e.detail)]));
  const runRows = rows(
    data.lastRuns.flatMap((r) =>
      Object.entries(r.byVendor).map(([vendor, counts]) => [esc(r.function), esc(vendor), t(r.at), esc(r.mode), esc(Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')), `<code>${esc(r.runId.slice(0, 8))}</code>`]),
    ),
  );
  const openRows = rows(data.open.map((o) => [t(o.at), esc(o.function), esc(o.target), esc(o.resource), esc(o.action), `<span class="pill ${esc(o.outcome)}">${esc(o.outcome)}</span>`, esc(localizeTimes(o.reason, data.zone))]));
  const empty = (n: number, text: string) => `<tr><td colspan="${n}" class="empty">${text}</td></tr>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cloud-automation report</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${uplotCss}
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1f2328;max-width:1200px}
h1{font-size:22px}h2{font-size:17px;margin-top:32px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:4px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{background:#f6f8fa}.empty{color:#656d76;font-style:italic}
.axis{position:relative;height:56px;margin:8px 0 24px;border-bottom:2px solid #8c959f}
.mark{position:absolute;bottom:0;width:4px;height:32px;margin-left:-2px;border-radius:2px;opacity:.8}
.tick{position:absolute;bottom:-20px;font-size:11px;color:#656d76;transform:translateX(-50%)}
.deletion{background:#cf222e;color:#fff}.purge{background:#8250df;color:#fff}.renewal{background:#1a7f37;color:#fff}
.refused,.failed,.error{background:#bc4c00;color:#fff}.success,.planned{background:#0969da;color:#fff}
.pill{padding:1px 8px;border-radius:10px;font-size:12px}.chart{margin:12px 0}
</style></head>
<body>
<h1>cloud-automation report</h1>
<p>Generated ${t(data.generatedAt)} · times in ${esc(data.zone)} (${esc(data.offset)})</p>
<h2>Next ${HORIZON_DAYS} days: deletions, purges, renewals</h2>
<div class="axis" id="timeline">${markers}${ticks}</div>
<table id="timeline-table"><thead><tr><th>when</th><th>what</th><th>target</th><th>resource</th><th>detail</th></tr></thead>
<tbody>${timelineRows || empty(5, 'nothing due in the next 30 days')}</tbody></table>
<h2>Last runs per function and vendor</h2>
<table id="runs"><thead><tr><th>function</th><th>vendor</th><th>at</th><th>mode</th><th>outcomes</th><th>run</th></tr></thead>
<tbody>${runRows || empty(6, 'no runs recorded yet')}</tbody></table>
<h2>Spot price history</h2>
<div id="prices">${data.prices.length ? '' : '<p class="empty">no spot price history yet (spot-prices keeps it between runs)</p>'}</div>
<h2>Open warnings and refusals</h2>
<table id="open"><thead><tr><th>at</th><th>function</th><th>target</th><th>resource</th><th>action</th><th>outcome</th><th>reason</th></tr></thead>
<tbody>${openRows || empty(7, 'none')}</tbody></table>
<script>${uplotJs}</script>
<script>
const prices = ${JSON.stringify(data.prices).replace(/</g, '\\u003c')};
const box = document.getElementById('prices');
for (const s of prices) {
  const div = document.createElement('div');
  div.className = 'chart';
  box.appendChild(div);
  const xs = s.points.map((p) => Date.parse(p.at) / 1000);
  const ys = s.points.map((p) => Number(p.price));
  // a single reading still gets a readable hour either side
  const lo = Math.min(...xs), hi = Math.max(...xs), pad = lo === hi ? 3600 : 0;
  const series = [{}, { label: 'price ' + s.currency + '/h', stroke: '#0969da', width: 2 }];
  const data = [xs, ys];
  if (s.maxPrice !== undefined) {
    series.push({ label: 'threshold maxPrice ' + s.maxPrice, stroke: '#cf222e', dash: [6, 4] });
    data.push(xs.map(() => Number(s.maxPrice)));
  }
  new uPlot({ title: s.label, width: Math.min(1100, box.clientWidth || 900), height: 220, series, scales: { x: { time: true, auto: false, range: () => [lo - pad, hi + pad] } } }, data, div);
}
</script>
</body></html>
`;
}

export function writeReport(path: string, data: ReportData): void {
  writeFileSync(path, renderReport(data));
}

export function reportHeader(config: AutomationConfig, now: Date): Pick<ReportData, 'generatedAt' | 'zone' | 'offset'> {
  const zone = displayZone(config);
  return { generatedAt: now.toISOString(), zone, offset: zoneOffset(zone, now) };
}
