declare module '@alicloud/pop-core' {
  export default class RPCClient {
    constructor(config: { endpoint: string; apiVersion: string; accessKeyId: string; accessKeySecret: string }, verbose?: boolean);
    request(action: string, params?: Record<string, unknown>, opts?: Record<string, unknown>): Promise<unknown>;
  }
}
