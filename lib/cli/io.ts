import { createInterface } from 'node:readline/promises';

/** What the CLI reads from and writes to; tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** stdin and stdout are a terminal: `apply` shows the plan and asks. */
  interactive: boolean;
  /** Where progress lines go (stderr on a terminal); undefined = no progress; '' clears the line. */
  progress?: (message: string) => void;
  /** Width to fit tables to; undefined = not a terminal: print everything. */
  columns?: number;
  /** Asks one question on the terminal, returns the answer. */
  ask(question: string): Promise<string>;
  /** The wall clock (relative `--since`, plan age); business time comes from `--now`. */
  now(): Date;
  env: NodeJS.ProcessEnv;
}

/** The process's terminal. */
export function processIo(out: (s: string) => void, err: (s: string) => void): CliIo {
  const envColumns = Number(process.env.COLUMNS);
  return {
    out,
    err,
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    progress: terminalProgress(),
    columns: process.stdout.isTTY ? process.stdout.columns : Number.isInteger(envColumns) && envColumns > 0 ? envColumns : undefined,
    ask: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    now: () => new Date(),
    env: process.env,
  };
}

/** Progress on stderr when it is a terminal: one line rewritten in place; '' clears it before regular output. */
export function terminalProgress(): ((message: string) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (message) => {
    const width = (process.stderr.columns ?? 80) - 1;
    const text = message.length > width - 2 ? `${message.slice(0, width - 3)}…` : message;
    process.stderr.write(message ? `\r\x1b[K… ${text}` : '\r\x1b[K');
  };
}
