/** The invocation payload is none of the accepted trigger shapes (or names unknown things). */
export class TriggerError extends Error {
  override readonly name = 'TriggerError';
}
