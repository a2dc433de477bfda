import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../lib/cli/main';
import { createTencentSim, type TencentSim } from '../../sim/tencent';
import { TEST_NOW } from '../support/clock';
import { startHarness, type Harness } from '../support/harness';

// `cloud-automation report`: one self-contained page, checked in headless Chromium (Debian's).
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '../../artifacts');
const inBrowser = existsSync(CHROMIUM) ? it : it.skip;
const skipNote = existsSync(CHROMIUM) ? '' : ` (SKIPPED: no Chromium at ${CHROMIUM}; apt-get install chromium, or set CHROMIUM_PATH)`;

describe('cloud-automation report', () => {
  let h: Harness;
  let cvm: TencentSim;
  let reportPath: string;
  const out: string[] = [];
  const err: string[] = [];
  const now = TEST_NOW;
  const at = (hours: number) => new Date(now.getTime() + hours * 3_600_000).toISOString();
  const run = (...argv: string[]) => main(argv, (s) => out.push(s), (s) => err.push(s), { interactive: false, progress: undefined, columns: undefined, now: () => now });

  beforeAll(async () => {
    cvm = createTencentSim({ transitionMs: 0 });
    h = await startHarness([cvm]);
    h.sim.clock.set(now);
    cvm.bindClock(h.sim.clock);
    cvm.addInstance({ InstanceName: 'due-now', tags: { 'auto-delete-at': at(-1) } });
    cvm.addInstance({ InstanceName: 'due-in-3-days', tags: { 'auto-delete-at': at(72) } });
    cvm.addInstance({ InstanceName: 'due-in-60-days', tags: { 'auto-delete-at': at(60 * 24) } });
    cvm.addInstance({ InstanceName: 'bad-tag', tags: { 'auto-delete-at': 'next tuesday' } });
    const configPath = join(h.dir, 'report-config.json');
    const config = h.config(
      { autoDelete: [{ name: 'ad', mode: 'enforce' }], spotPrices: [{ name: 'spot', watches: [{ zone: 'ap-guangzhou-3', instanceType: 'S5.MEDIUM4' }], thresholds: { maxPrice: '0.30' } }] },
      { safety: { maxDestructivePercent: 100 }, display: { timezone: 'Asia/Shanghai' } },
    );
    writeFileSync(configPath, JSON.stringify(config));
    // the price history spot-prices keeps between runs
    mkdirSync(join(h.dir, 'state'), { recursive: true });
    const key = { vendor: 'tencent', target: 'tencent-prod', region: 'ap-guangzhou', zone: 'ap-guangzhou-3', instanceType: 'S5.MEDIUM4' };
    const points = [0.21, 0.24, 0.35, 0.27].map((p, i) => ({ at: at(i - 4), price: String(p), currency: 'CNY' }));
    writeFileSync(join(h.dir, 'state', 'prices.json'), JSON.stringify({ version: 1, series: { k: { key, points } }, conditions: {} }));

    expect(await run('apply', '--config', configPath, '--function', 'auto-delete', '--now', now.toISOString(), '--yes')).toBe(0);
    reportPath = join(mkdtempSync(join(tmpdir(), 'ca-report-')), 'report.html');
    out.length = 0;
    expect(await run('report', '--config', configPath, '--out', reportPath, '--now', now.toISOString())).toBe(0);
    expect(out.join('\n')).toContain(`report written: ${reportPath}`);
  });
  afterAll(() => h.stop());

  it('is one self-contained page: nothing loaded from the network', () => {
    const html = readFileSync(reportPath, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/cdn/i);
    expect(html).toContain('uPlot'); // the charting library is inlined
  });

  it("shows the vendor's deletion timers, which Tencent keeps apart from the instance", () => {
    // the apply above pushed due-in-3-days' time to an action timer (more than 5 minutes ahead)
    const html = readFileSync(reportPath, 'utf8');
    expect(html).toMatch(/vendor deletion timer/);
  });

  inBrowser(`renders in headless Chromium without console errors and shows the expected rows${skipNote}`, async () => {
    const { chromium } = await import('playwright-core');
    const profile = mkdtempSync(join(tmpdir(), 'ca-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 1400 },
      // the browser on the real clock: Chromium hangs under libfaketime (npm run test:any-date), and the
      // page's times come from the report's data, not the browser's clock
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'LD_PRELOAD' && !k.startsWith('FAKETIME'))) as Record<string, string>,
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('request', (r) => !r.url().startsWith('file:') && problems.push(`network request ${r.url()}`));
      await page.goto(`file://${reportPath}`);
      await page.waitForSelector('#prices canvas');

      const timeline = await page.locator('#timeline-table tbody').innerText();
      expect(timeline).toMatch(/deletion\s+tencent-prod\s+ins-\w+ \(due-in-3-days\)/);
      expect(timeline).not.toContain('due-in-60-days'); // beyond 30 days
      expect(await page.locator('#timeline .mark.deletion').count()).toBe(1);
      expect(await page.locator('#open').innerText()).not.toContain('read-fleet'); // a bad tag does not stop the fleet read
      const runs = await page.locator('#runs tbody').innerText();
      // the due instance deleted, and Tencent's native timers set for the two later ones
      expect(runs).toMatch(/auto-delete\s+tencent\s+.*enforce\s+success 3/);
      expect(await page.locator('#prices .u-title').innerText()).toBe('tencent-prod ap-guangzhou-3 S5.MEDIUM4');
      expect(await page.locator('#prices').innerText()).toContain('threshold maxPrice 0.30');
      expect(await page.locator('body').innerText()).toContain('times in Asia/Shanghai (+08:00)');

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
