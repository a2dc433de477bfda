import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { schemas } from '../../../lib/vendors/tencent/actions';
import { CVM_MODEL, SDK_VERSION } from '../../../sim/tencent/sdk-model.generated';
import { extractModels, parseSdkModels, renderGenerated, RESPONSE_ROOTS, SDK_MODELS_PATH, SDK_PACKAGE_PATH, type SdkModel } from '../../../sim/tencent/sdk-model';

/**
 * Every field our zod response schemas read is checked against the official SDK model
 * (tencentcloud-sdk-nodejs-cvm cvm_models.d.ts): the name must exist there, a field the SDK marks
 * nullable must accept null, an optional one must accept absence, and a value of the SDK's type
 * must parse. Names the SDK lacks are allowed only where a seed sample uses them (listed below,
 * each in sim/DECISIONS.md).
 */

const root = join(import.meta.dirname, '../../..');

/** Sample-only names: seed 004 spells them so; the SDK does not have them (sim/DECISIONS.md T16). */
const SEED_ONLY: Record<string, string> = {
  '*.RequestID': 'seed 004 L6077',
  'Tag.tagKey': 'seed 004 L2390-2395',
  'Tag.tagValue': 'seed 004 L2390-2395',
  'Image.ImageStatus': 'seed 004 L4764-4783',
  'Image.ImageCreateTime': 'seed 004 L4764-4783',
};

/** Fields we require although the SDK types every member optional: without them a row is unusable. */
const REQUIRED_BY_US = new Set([
  'Instance.InstanceId',
  'Image.ImageId',
  'InstanceStatus.InstanceId',
  'InstanceStatus.InstanceState',
  'RegionInfo.Region',
  'ZoneInfo.Zone',
  'InstanceTypeQuotaItem.Zone',
  'InstanceTypeQuotaItem.InstanceType',
  // Paging and the payload itself: an answer without them is a read failure, never an empty page.
  'DescribeInstancesResponse.TotalCount',
  'DescribeInstancesResponse.InstanceSet',
  'DescribeInstancesStatusResponse.TotalCount',
  'DescribeInstancesStatusResponse.InstanceStatusSet',
  'DescribeImagesResponse.TotalCount',
  'DescribeImagesResponse.ImageSet',
  'DescribeRegionsResponse.RegionSet',
  'DescribeZonesResponse.ZoneSet',
  'DescribeZoneInstanceConfigInfosResponse.InstanceTypeQuotaSet',
  'DescribeImageQuotaResponse.ImageNumQuota',
  'InquiryPriceRenewInstancesResponse.Price',
  'InquiryPriceRunInstancesResponse.Price',
]);

/** Which SDK response type each schema reads. */
const RESPONSES: [keyof typeof schemas, string][] = [
  ['describeRegions', 'DescribeRegionsResponse'],
  ['describeZones', 'DescribeZonesResponse'],
  ['describeInstances', 'DescribeInstancesResponse'],
  ['describeInstancesStatus', 'DescribeInstancesStatusResponse'],
  ['requestOnly', 'TerminateInstancesResponse'],
  ['createImage', 'CreateImageResponse'],
  ['inquiryPrice', 'InquiryPriceRenewInstancesResponse'],
  ['inquiryPrice', 'InquiryPriceRunInstancesResponse'],
  ['describeZoneInstanceConfigInfos', 'DescribeZoneInstanceConfigInfosResponse'],
  ['describeImages', 'DescribeImagesResponse'],
  ['describeImageQuota', 'DescribeImageQuotaResponse'],
];

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; shape?: Record<string, z.ZodType>; element?: z.ZodType; options?: z.ZodType[] };
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The object/array under optional, nullable, default and transform wrappers. */
function core(s: z.ZodType): z.ZodType {
  const def = defOf(s);
  if (def.innerType && ['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type)) return core(def.innerType);
  if (def.type === 'pipe' && def.in) return core(def.in);
  return s;
}

const SAMPLE: Record<string, unknown> = { string: 'x', number: 1, boolean: true };

/** Every mismatch between a zod schema and an SDK interface, as `Iface.Field: problem`. */
function compare(schema: z.ZodType, iface: string, model: SdkModel, problems: string[]): void {
  const def = defOf(core(schema));
  if (def.type !== 'object' || !def.shape) {
    problems.push(`${iface}: our schema is ${def.type}, the SDK has an object`);
    return;
  }
  const sdk = model[iface]!;
  for (const [name, field] of Object.entries(def.shape)) {
    const at = `${iface}.${name}`;
    const f = sdk[name];
    if (!f) {
      if (!SEED_ONLY[at] && !SEED_ONLY[`*.${name}`]) problems.push(`${at}: the SDK model has no such field`);
      continue;
    }
    if (f.nullable && !field.safeParse(null).success) problems.push(`${at}: the SDK says it may be null; we refuse null`);
    if (f.optional && !REQUIRED_BY_US.has(at) && !field.safeParse(undefined).success) problems.push(`${at}: the SDK says it may be absent; we require it`);
    const array = /^Array<(\w+)>$/.exec(f.type);
    const ref = array ? array[1]! : f.type;
    if (model[ref]) {
      if (array) {
        const arr = defOf(core(field));
        if (arr.type !== 'array' || !arr.element) problems.push(`${at}: the SDK has ${f.type}; we do not read an array`);
        else compare(arr.element, ref, model, problems);
      } else compare(field, ref, model, problems);
    } else {
      const sample = array ? [SAMPLE[ref]] : SAMPLE[ref];
      if (sample === undefined || (array && SAMPLE[ref] === undefined)) problems.push(`${at}: unknown SDK type ${f.type}`);
      else if (!field.safeParse(sample).success) problems.push(`${at}: a ${f.type} value (the SDK's type) does not parse`);
    }
  }
}

describe(`client schemas against tencentcloud-sdk-nodejs-cvm ${SDK_VERSION}`, () => {
  it('the checked-in extract is what the installed SDK says (regenerate: npx tsx scripts/tencent-sdk-model.ts)', () => {
    const installed = (JSON.parse(readFileSync(join(root, SDK_PACKAGE_PATH), 'utf8')) as { version: string }).version;
    const models = extractModels(parseSdkModels(readFileSync(join(root, SDK_MODELS_PATH), 'utf8')), RESPONSE_ROOTS);
    expect(renderGenerated(installed, models)).toBe(readFileSync(join(root, 'sim/tencent/sdk-model.generated.ts'), 'utf8'));
  });

  it('the extract reads nullability from the doc comments (RenewFlag/ExpiredTime null when postpaid)', () => {
    expect(CVM_MODEL.Instance!.RenewFlag).toEqual({ type: 'string', optional: true, nullable: true });
    expect(CVM_MODEL.Instance!.ExpiredTime).toMatchObject({ nullable: true });
    expect(CVM_MODEL.Instance!.InstanceState).toMatchObject({ nullable: false });
    expect(CVM_MODEL.Instance!.DisableApiTermination).toMatchObject({ type: 'boolean' });
  });

  it.each(RESPONSES)('%s reads %s as the SDK models it', (key, response) => {
    const problems: string[] = [];
    compare(schemas[key], response, CVM_MODEL, problems);
    expect(problems).toEqual([]);
  });

  it('the walk catches what it must: a refused null, an unknown name, a wrong type', async () => {
    const { z } = await import('zod');
    const problems: string[] = [];
    compare(z.looseObject({ InstanceId: z.string(), RenewFlag: z.string().optional(), Bogus: z.string().optional(), CPU: z.string().optional() }), 'Instance', CVM_MODEL, problems);
    expect(problems).toEqual([
      'Instance.RenewFlag: the SDK says it may be null; we refuse null',
      'Instance.Bogus: the SDK model has no such field',
      'Instance.CPU: a number value (the SDK\'s type) does not parse',
    ]);
  });
});
