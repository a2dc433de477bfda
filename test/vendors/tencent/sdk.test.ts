import { Agent } from 'node:http';
import cvm from 'tencentcloud-sdk-nodejs-cvm';
import { startSim, simCredentials, type RunningSim } from '../../../sim/core';
import { createTencentSim, type TencentSim } from '../../../sim/tencent';

/**
 * The vendor's own SDK (TC3-HMAC-SHA256, JSON POST bodies) against the simulator over http. The
 * endpoint keeps the `cvm.` host so the SDK derives service `cvm` for its credential scope; a
 * custom lookup sends the connection to loopback (no network).
 */
type CvmClientCtor = new (config: unknown) => { DescribeInstances(req: unknown): Promise<{ TotalCount: number; InstanceSet: { InstanceId: string; Tags: { Key: string; Value: string }[] }[] }> };
const CvmClient = (cvm as unknown as { cvm: { v20170312: { Client: CvmClientCtor } } }).cvm.v20170312.Client;

let running: RunningSim;
let sim: TencentSim;
beforeAll(async () => {
  sim = createTencentSim();
  running = await startSim({ modules: [sim], ports: { tencent: 0 } });
});
afterAll(async () => {
  await running.stop();
});

function sdkClient(secretKey: string, signMethod?: string) {
  const port = new URL(running.endpoints.tencent!).port;
  const agent = new Agent({
    lookup: ((_host: string, options: { all?: boolean }, cb: (...args: unknown[]) => void) =>
      options?.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)) as never,
  });
  const creds = simCredentials('tencent');
  return new CvmClient({
    credential: { secretId: creds.accessKeyId, secretKey },
    region: 'ap-guangzhou',
    profile: { signMethod, httpProfile: { endpoint: `cvm.tencentcloudapi.com:${port}`, protocol: 'http://', agent, reqTimeout: 10 } },
  });
}

describe('tencentcloud-sdk-nodejs-cvm against the simulator', () => {
  it.each([undefined, 'HmacSHA256', 'HmacSHA1'])('DescribeInstances succeeds (signMethod %s)', async (signMethod) => {
    const a = sim.addInstance({ tags: { team: 'sdk' } });
    const res = await sdkClient(simCredentials('tencent').secret, signMethod).DescribeInstances({ InstanceIds: [a.InstanceId] });
    expect(res.TotalCount).toBe(1);
    expect(res.InstanceSet[0]).toMatchObject({ InstanceId: a.InstanceId, Tags: [{ Key: 'team', Value: 'sdk' }] });
  });

  it('applies JSON filters the SDK sends (nested objects, not flattened names)', async () => {
    const b = sim.addInstance({ tags: { owner: 'json-filter' } });
    const res = await sdkClient(simCredentials('tencent').secret).DescribeInstances({ Filters: [{ Name: 'tag:owner', Values: ['json-filter'] }], Limit: 100 });
    expect(res.InstanceSet.map((i) => i.InstanceId)).toEqual([b.InstanceId]);
  });

  it('fails with a signature error on a wrong key', async () => {
    await expect(sdkClient('not-the-secret').DescribeInstances({})).rejects.toMatchObject({ code: 'AuthFailure.SignatureFailure' });
  });
});
