/**
 * The instance list's `filter=` mini-language (seed 003 L6031, L6055-6060):
 * `field:op:value|field:op:value`, clauses joined with `|`, operators eq (equals), lk (like), in.
 * Only the documented fields are accepted; a value holding a separator cannot be expressed and is refused.
 */
export const FILTER_FIELDS = ['displayName', 'ecsId', 'departmentId', 'resourceGroupId', 'status', 'az', 'cpuArch'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];
export type FilterOp = 'eq' | 'lk' | 'in';

export interface FilterClause {
  field: FilterField;
  op: FilterOp;
  value: string;
}

export function buildFilter(clauses: FilterClause[]): string | undefined {
  if (clauses.length === 0) return undefined;
  return clauses
    .map(({ field, op, value }) => {
      if (!FILTER_FIELDS.includes(field)) throw new Error(`cecstack filter: field "${field}" is not filterable; use one of ${FILTER_FIELDS.join(', ')}`);
      if (!['eq', 'lk', 'in'].includes(op)) throw new Error(`cecstack filter: operator "${op}" is unknown; use eq, lk or in`);
      if (value === '' || /[|:]/.test(value)) {
        throw new Error(`cecstack filter: value ${JSON.stringify(value)} for ${field} must be non-empty and hold no "|" or ":"; filter that field client-side instead`);
      }
      return `${field}:${op}:${value}`;
    })
    .join('|');
}
