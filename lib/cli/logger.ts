import { createLogger, type Logger } from '../runtime/logger';

/** The CLI's output is its tables: the JSON run log carries only warnings unless POWERTOOLS_LOG_LEVEL asks for more. */
export function cliLogger(fn: string, env: NodeJS.ProcessEnv = process.env): Logger {
  const logger = createLogger(fn);
  if (!env.POWERTOOLS_LOG_LEVEL) logger.setLogLevel('WARN');
  return logger;
}
