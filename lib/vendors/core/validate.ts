import type { z } from 'zod';
import { VendorError } from './errors';
import type { VendorName } from './model';

/** Checks a vendor response against its documented shape; a mismatch is a VendorError naming the first paths. */
export function validateResponse<S extends z.ZodType>(
  schema: S,
  body: unknown,
  meta: { vendor: VendorName; action: string; requestId?: string; httpStatus?: number },
): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new VendorError({
    ...meta,
    code: 'UnexpectedResponse',
    message: `response does not match the documented ${meta.action} shape: ${parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.')}: ${i.message}`)
      .join('; ')}`,
  });
}
