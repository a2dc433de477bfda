import { parseArgs } from 'node:util';
import { runDemo } from '../lib/cli/demo';

// `npm start [-- --enforce]`: the five functions against the embedded simulated clouds.
const { values } = parseArgs({
  options: {
    enforce: { type: 'boolean', default: false },
    seed: { type: 'string', default: '42' },
    count: { type: 'string', default: '60' },
    reset: { type: 'boolean', default: false },
    config: { type: 'string', default: 'automation.example.yml' },
  },
});

process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
const { failures } = await runDemo({
  enforce: values.enforce,
  seed: Number(values.seed),
  count: Number(values.count),
  reset: values.reset,
  configPath: values.config,
  stateDir: '.automation',
  out: (line) => console.log(line),
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
});
process.exitCode = failures ? 1 : 0;
