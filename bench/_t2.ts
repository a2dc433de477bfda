import { fork } from 'node:child_process';
import { startSimProcess } from './lib/sim-process';
const [vendor, fn, mode, n] = process.argv.slice(2) as any;
const s = await startSimProcess(vendor, Number(n));
const child = fork('bench/lib/sweep-child.ts', [fn, vendor, s.endpoint, s.now, mode], { execArgv: ['--import', 'tsx'], env: { ...process.env, BENCH_DUMP: `/tmp/dump-${vendor}-${fn}-${mode}.json` } });
const r = await new Promise((res) => child.once('message', res));
console.log(JSON.stringify(r));
console.log(JSON.stringify(await s.stats()));
await s.stop();
