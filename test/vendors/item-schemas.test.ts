import { instanceSchema as alibabaInstance } from '../../lib/vendors/alibaba/actions';
import { vm as cecstackVm } from '../../lib/vendors/cecstack/schemas';
import { instanceSchema as kecInstance } from '../../lib/vendors/kec/actions';

/** Listing items accept the vendor's other fields (not copied) and still refuse a wrong shape of the fields we read. */
describe.each([
  ['alibaba', alibabaInstance, { InstanceId: 'i-1', Status: 'Running' }, { Status: 'Running' }, { InstanceId: 'i-1', Status: 7 }],
  ['kec', kecInstance, { InstanceId: 'k-1' }, { InstanceName: 'x' }, { InstanceId: 'k-1', InstanceState: 'active' }],
  ['cecstack', cecstackVm, { ecsId: 'ecs-1', status: 'Running' }, { status: 'Running' }, { ecsId: 'ecs-1', status: 'Running', vmLabels: [{ value: 'v' }] }],
])('%s listing item', (_vendor, schema, minimal, noId, wrong) => {
  it('accepts fields beyond the schema and leaves them out of the result', () => {
    const parsed = (schema as { safeParse: (v: unknown) => { success: boolean; data?: Record<string, unknown> } }).safeParse({ ...minimal, VpcAttributes: { VpcId: 'vpc-1' }, extra: [1, 2] });
    expect(parsed.success).toBe(true);
    expect(parsed.data).not.toHaveProperty('VpcAttributes');
    expect(parsed.data).not.toHaveProperty('extra');
  });
  it('refuses an item without its id or with a field of the wrong type', () => {
    expect(schema.safeParse(noId).success).toBe(false);
    expect(schema.safeParse(wrong).success).toBe(false);
  });
});
