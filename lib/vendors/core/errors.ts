import type { VendorName } from './model';

/** The one error every vendor client throws for a failed vendor call (design §3). */
export class VendorError extends Error {
  readonly vendor: VendorName;
  readonly action: string;
  readonly code: string;
  readonly requestId?: string;
  readonly httpStatus?: number;
  /** Throttling, 5xx and network failures: worth retrying. Validation/auth errors are not. */
  readonly retryable: boolean;
  /** Authentication/signature failures: surfaced clearly, never retried. */
  readonly auth: boolean;
  /** The vendor says the failure came after it began acting (a database write failed): a non-idempotent mutation is not resent. */
  readonly mayHaveActed: boolean;

  constructor(init: {
    vendor: VendorName;
    action: string;
    code: string;
    message: string;
    requestId?: string;
    httpStatus?: number;
    retryable?: boolean;
    auth?: boolean;
    mayHaveActed?: boolean;
  }) {
    super(`${init.vendor} ${init.action} failed: ${init.code}: ${init.message}${init.requestId ? ` (request ${init.requestId})` : ''}`);
    this.name = 'VendorError';
    this.vendor = init.vendor;
    this.action = init.action;
    this.code = init.code;
    this.requestId = init.requestId;
    this.httpStatus = init.httpStatus;
    this.retryable = init.retryable ?? false;
    this.auth = init.auth ?? false;
    this.mayHaveActed = init.mayHaveActed ?? false;
  }

  /** The vendor's own message, without our prefix and request id (and with a `withTargetHint` hint, if any). */
  get vendorMessage(): string {
    return this.message.replace(/^.*? failed: [^:]+: /, '').replace(/ \(request [^)]*\)(?= — |$)/, '');
  }

  toJSON() {
    return {
      name: this.name,
      vendor: this.vendor,
      action: this.action,
      code: this.code,
      message: this.message,
      requestId: this.requestId,
      httpStatus: this.httpStatus,
      retryable: this.retryable,
    };
  }
}

/**
 * Where a call went: its client's target, as configured. A failure the operator can fix at the
 * target (unreachable, rejected credentials, not the vendor answering) names what to check.
 */
export interface CallOrigin {
  target: string;
  /** The endpoint setting; absent: the vendor's default. */
  endpoint?: string;
  /** The settings the credentials came from, by name (never their values). */
  credentialSettings?: string;
}

/** Adds to `error`'s message what the operator must check at `origin`, when the failure is theirs to fix. */
export function withTargetHint(error: VendorError, origin: CallOrigin): VendorError {
  const endpoint = origin.endpoint ?? `the ${error.vendor} default endpoint`;
  let hint: string | undefined;
  if (error.auth) hint = `target "${origin.target}" rejected the credentials${origin.credentialSettings ? `: check ${origin.credentialSettings}` : ''}`;
  else if (error.httpStatus === undefined) hint = `cannot reach target "${origin.target}" at ${endpoint}: check its endpoint setting and the network`;
  else if (error.code === 'UnexpectedResponse' || error.code === 'MalformedResponse')
    hint = `the answer from ${endpoint} (target "${origin.target}") is not a ${error.vendor} API response: check its endpoint setting`;
  if (hint) error.message = `${error.message} — ${hint}`;
  return error;
}

/** Thrown before any request is sent when a dry run reaches a mutating action. */
export class DryRunViolation extends Error {
  constructor(vendor: VendorName, action: string) {
    super(`refused: ${vendor} ${action} mutates, and this client is read-only (dry run)`);
    this.name = 'DryRunViolation';
  }
}

/** Thrown when a run would exceed its request budget: listings fail loudly, never cap silently. */
export class BudgetExceeded extends Error {
  constructor(vendor: VendorName, budget: number) {
    super(`request budget of ${budget} calls to ${vendor} exhausted in this run; raise safety.requestBudget or narrow the selection`);
    this.name = 'BudgetExceeded';
  }
}
