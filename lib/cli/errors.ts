/** Bad arguments: exit 2, with the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A refusal that is not an argument problem (stale plan, cancelled apply): exit 1, nothing changed. */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';
}
