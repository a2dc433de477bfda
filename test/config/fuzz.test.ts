import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { ConfigError, automationConfigSchema, parseConfig } from '../../lib/config';

/**
 * Property: whatever text it is given, the loader returns a config the schema accepts, or
 * throws ConfigError with well-formed issues; a value planted under a secret-looking key never
 * appears in the error.
 */

const fixtureText = readFileSync(new URL('./fixtures/valid.yml', import.meta.url), 'utf8');
const fixture: unknown = parse(fixtureText);
const SECRET = 'PLANTED-s3cr3t-9f8e7d';

type Json = unknown;
type Step = { pick: number; op: number; junk: Json; key: string; secretKey: string };

const junk: fc.Arbitrary<Json> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -5, max: 100_000 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    '72h',
    '02:30',
    'Asia/Shanghai',
    '2026-01-01T00:00:00+08:00',
    'kec',
    'enforce',
    '*',
    'running',
  ),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 2 }),
);

const step: fc.Arbitrary<Step> = fc.record({
  pick: fc.nat(),
  op: fc.nat(5),
  junk,
  key: fc.constantFrom('extra', 'name', 'tags', 'mode', 'secretEnv'),
  secretKey: fc.constantFrom('secret', 'accessKeySecret', 'password', 'secretEnv', 'tokenParameter'),
});

/** Every container node of the tree with its parent, for picking a mutation site. */
function nodes(v: Json, out: Json[] = []): Json[] {
  if (typeof v === 'object' && v !== null) {
    out.push(v);
    for (const c of Object.values(v)) nodes(c, out);
  }
  return out;
}

function mutate(root: Json, steps: Step[]): Json {
  const doc = structuredClone(root);
  for (const s of steps) {
    const all = nodes(doc);
    const node = all[s.pick % all.length] as Record<string, Json> | Json[];
    const keys = Object.keys(node);
    const k = keys.length ? keys[s.pick % keys.length]! : undefined;
    switch (s.op) {
      case 0: // drop a key / element
        if (k !== undefined) {
          if (Array.isArray(node)) node.splice(Number(k), 1);
          else delete node[k];
        }
        break;
      case 1: // change a value's type or content
      case 2:
        if (k !== undefined) (node as Record<string, Json>)[k] = s.junk;
        break;
      case 3: // plant a secret under a secret-looking key
        if (!Array.isArray(node)) node[s.secretKey] = SECRET;
        break;
      case 4: // duplicate an element (names collide)
        if (Array.isArray(node) && node.length) node.push(structuredClone(node[0]));
        break;
      default: // add an unknown or misplaced key
        if (!Array.isArray(node)) node[s.key] = s.junk;
    }
  }
  return doc;
}

function check(text: string): void {
  let result: unknown;
  try {
    result = parseConfig(text, 'fuzz.yml');
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    expect(e.issues.length).toBeGreaterThan(0);
    for (const i of e.issues) {
      expect(typeof i.path).toBe('string');
      expect(i.message.length).toBeGreaterThan(0);
    }
    expect(e.message).not.toContain(SECRET);
    return;
  }
  // A returned config is valid: the schema accepts it again as it stands.
  expect(automationConfigSchema.safeParse(result).success).toBe(true);
}

describe('config loader under random and mutated input', () => {
  it('mutated valid configs', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 6 }), (steps) =>
        check(stringify(mutate(fixture, steps))),
      ),
      { numRuns: 250 },
    );
  });

  it('text-level damage to the valid file', () => {
    fc.assert(
      fc.property(fc.nat(fixtureText.length), fc.nat(40), fc.string({ maxLength: 8 }), (at, cut, insert) =>
        check(fixtureText.slice(0, at) + insert + fixtureText.slice(at + cut)),
      ),
      { numRuns: 150 },
    );
  });

  it('random text and random YAML values', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), check), { numRuns: 150 });
    fc.assert(
      fc.property(fc.anything({ maxDepth: 3 }), (v) => check(stringify(v) ?? '')),
      { numRuns: 150 },
    );
  });

  it('keeps the fixture valid (the property above mutates a valid start)', () => {
    expect(() => check(fixtureText)).not.toThrow();
    expect(parseConfig(fixtureText).targets).toHaveLength(4);
  });
});
