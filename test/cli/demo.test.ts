import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../../lib/cli/demo';

// The main job (`npm start`) on a small fleet: a dry run changes nothing, an enforce run applies,
// and a second enforce run right after does nothing twice.
describe('npm start: the main job', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'ca-demo-'));
  const lines: string[] = [];
  const options = { seed: 7, count: 40, reset: false, configPath: 'automation.example.yml', stateDir, out: (l: string) => lines.push(l) };
  const applied = (r: Awaited<ReturnType<typeof runDemo>>) => Object.values(r.reports).flatMap((x) => x.rows).filter((row) => row.status === 'applied').length;

  it('plans, applies, and never applies twice', async () => {
    const dry = await runDemo({ ...options, enforce: false });
    expect(applied(dry)).toBe(0);
    expect(Object.values(dry.reports).flatMap((x) => x.rows).filter((r) => r.status === 'planned').length).toBeGreaterThan(20);
    expect(lines.join('\n')).toMatch(/== auto-delete ==[\s\S]*summary:/);
    expect(lines.join('\n')).toMatch(/report: .*report.html/);
    expect(existsSync(join(stateDir, 'report.html'))).toBe(true);

    const first = await runDemo({ ...options, enforce: true });
    expect(applied(first)).toBeGreaterThan(10);
    expect(first.failures).toBe(0);

    const second = await runDemo({ ...options, enforce: true });
    expect(applied(second)).toBe(0);
    expect(Object.values(second.reports).flatMap((x) => x.rows).filter((r) => r.status === 'skipped').length).toBe(applied(first));
  }, 120_000);
});
