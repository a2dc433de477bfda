import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { redact } from '../audit/redact';

/** Powertools' standard JSON fields, then every attribute passed through the redaction step. */
class RedactingLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const ctx = attributes.lambdaContext;
    const base: LogAttributes = {
      level: attributes.logLevel,
      message: attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: ctx?.coldStart,
      function_name: ctx?.functionName,
      function_request_id: ctx?.awsRequestId,
      xray_trace_id: attributes.xRayTraceId,
    };
    return new LogItem({ attributes: redact({ ...base, ...additional }) as LogAttributes });
  }
}

export const SERVICE_NAME = 'cloud-fleet-automation';

/** One logger per function: JSON lines, redacted, with the function name on every line. */
export function createLogger(functionName: string): Logger {
  return new Logger({
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
    logFormatter: new RedactingLogFormatter(),
    persistentKeys: { function: functionName },
  });
}

export type { Logger };
