import { main } from '../lib/cli/main';

process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.exitCode = await main(process.argv.slice(2));
