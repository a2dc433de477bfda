import type { FleetOptions, SimContext, SimRequest, SimResponse, VendorSimulator } from '../core';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { seedCecstackFleet } from './fleet';
import { displayYuan, endOfBeijingDay, renderPolicy, renderRecycle, renderRecycledVm, renderSnapshot, renderVm, rfc3339, yuan } from './render';
import { SimState, type SimRecycleEntry, type SimVm } from './state';

const PREFIX = '/api/ecs/v1';

/** Routes of seed 003 the simulator serves: method, path pattern, action name (the client's names). */
const ROUTES: [string, RegExp, string][] = [
  ['GET', /^\/instances\/recycle-config$/, 'GetRecycleConfig'],
  ['PUT', /^\/instances\/recycle-config$/, 'SetRecycleConfig'],
  ['DELETE', /^\/instances\/batch-delete$/, 'BatchDeleteInstances'],
  ['PUT', /^\/instances\/batch-stop$/, 'BatchStopInstances'],
  ['PUT', /^\/instances\/batch-start$/, 'BatchStartInstances'],
  ['GET', /^\/instances$/, 'ListInstances'],
  ['GET', /^\/instances\/([^/]+)$/, 'GetInstance'],
  ['DELETE', /^\/instances\/([^/]+)$/, 'DeleteInstance'],
  ['PUT', /^\/instances\/([^/]+)\/stop$/, 'StopInstance'],
  ['PUT', /^\/instances\/([^/]+)\/start$/, 'StartInstance'],
  ['PUT', /^\/instances\/([^/]+)\/label$/, 'SetLabels'],
  ['POST', /^\/instances\/([^/]+)\/renew-resources$/, 'RenewResources'],
  ['POST', /^\/instances\/([^/]+)\/renew$/, 'Renew'],
  ['POST', /^\/flavors\/query-price$/, 'QueryPrice'],
  ['POST', /^\/service-region-info$/, 'ListRegions'],
  ['GET', /^\/snapshot$/, 'ListSnapshots'],
  ['POST', /^\/snapshot$/, 'CreateSnapshot'],
  ['GET', /^\/snapshot\/([^/]+)$/, 'GetSnapshot'],
  ['DELETE', /^\/snapshot\/([^/]+)$/, 'DeleteSnapshot'],
  ['GET', /^\/policy$/, 'ListPolicies'],
  ['PUT', /^\/policy$/, 'CreatePolicy'],
  ['GET', /^\/policy\/([^/]+)$/, 'GetPolicy'],
  ['POST', /^\/policy\/([^/]+)$/, 'GetOrModifyPolicy'],
  ['DELETE', /^\/policy\/([^/]+)$/, 'DeletePolicy'],
  ['GET', /^\/policy\/([^/]+)\/bind$/, 'BindPolicy'],
  ['POST', /^\/policy\/([^/]+)\/bind$/, 'BindPolicy'],
  ['POST', /^\/policy\/([^/]+)\/unbind$/, 'UnbindPolicy'],
  ['POST', /^\/policy\/([^/]+)\/pause$/, 'PausePolicy'],
  ['POST', /^\/policy\/([^/]+)\/resume$/, 'ResumePolicy'],
  ['GET', /^\/recycle$/, 'ListRecycle'],
  ['PUT', /^\/recycle\/snapshot\/([^/]+)$/, 'RestoreRecycledSnapshot'],
  ['DELETE', /^\/recycle\/snapshot\/([^/]+)$/, 'PurgeRecycledSnapshot'],
  ['GET', /^\/recycle\/instances\/([^/]+)$/, 'GetRecycledInstance'],
  ['PUT', /^\/recycle\/instances\/([^/]+)$/, 'RestoreRecycledInstance'],
  ['DELETE', /^\/recycle\/instances\/([^/]+)$/, 'PurgeRecycledInstance'],
  ['POST', /^\/res-life-cycle\/auto-clean$/, 'AutoClean'],
];

const READS = new Set(['ListInstances', 'GetInstance', 'GetRecycleConfig', 'RenewResources', 'QueryPrice', 'ListRegions', 'ListSnapshots', 'GetSnapshot', 'ListPolicies', 'GetPolicy', 'ListRecycle', 'GetRecycledInstance']);

/**
 * How the simulator authenticates (DECISIONS.md D2/D3): a bearer token, or `example-hmac`, a stand-in
 * request signature for testing signing hooks (NOT the vendor's scheme, which seed 003 leaves to a
 * separate document, L1234): headers `x-ca-key`, `x-ca-timestamp` (ISO, ±300 s of the real clock) and
 * `x-ca-signature` = base64 HMAC-SHA256(secret, METHOD \n path?query \n timestamp \n sha256-hex(body)).
 */
export interface CecstackSimOptions {
  auth?: { scheme?: 'bearer' | 'example-hmac' | 'any'; header?: string };
  /** Answer an auth failure as an auth gateway does: HTTP 401 with a body that is not the vendor envelope. */
  gatewayAuth?: boolean;
  /** Hold at most this many items per page whatever the request asks (no maximum is documented, D5): short pages before the last. */
  pageClamp?: number;
  /** Leave out every field whose value is null (absent rather than null: the tables mark none required, D22). */
  sparse?: boolean;
}

/** Drops null-valued fields at every depth (arrays keep their items). */
function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, stripNulls(v)]),
  );
}

class Fail extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Json = Record<string, unknown>;

export class CecstackSim implements VendorSimulator {
  readonly vendor = 'cecstack' as const;
  readonly state = new SimState();
  /** Every request the module answered (method, path, raw query, body), for byte-for-byte tests. */
  readonly log: { method: string; path: string; rawQuery: string; body: string; headers: Record<string, string> }[] = [];
  private requestSeq = 0;
  private listCache?: { key: string; version: number; ids: string[] };
  private vmOrder: string[] = [];
  private vmOrderDirty = false;

  /**
   * Database-write failures to answer (`ECS.DBCreate.Fail`/`ECS.DBUpdate.Fail`, HTTP 400, seed 003
   * L14701, L14706), per action: `acted` says whether the change was made before the write failed.
   */
  readonly dbFailures = new Map<string, { code: string; acted: boolean; times: number }>();

  constructor(private readonly options: CecstackSimOptions = {}) {
    // SIM_REAL_SHAPES=<seed>: short pages for every simulator a run creates (exploratory runs of the suite)
    const envSeed = process.env.SIM_REAL_SHAPES ? Number(process.env.SIM_REAL_SHAPES) : undefined;
    if (options.pageClamp === undefined && envSeed !== undefined && Number.isInteger(envSeed)) this.options = { sparse: envSeed % 2 === 1, ...options, pageClamp: 7 + (envSeed % 41) };
  }

  actionOf(req: SimRequest): string {
    const route = this.route(req);
    if (!route) return 'Unknown';
    if (route.action === 'GetOrModifyPolicy') return req.body.trim() ? 'ModifyPolicy' : 'GetPolicy';
    return route.action;
  }

  rateLimitOf(): number | undefined {
    return undefined; // seed 003 documents no rate limits
  }

  isMutating(action: string): boolean {
    return action !== 'Unknown' && !READS.has(action);
  }

  /** No throttling answer is documented (seed 003 L14650-14717): HTTP 429 + `ECS.Throttling` (D4). */
  throttled(): SimResponse {
    return this.error('ECS.Throttling', '请求过于频繁，请稍后重试', 429);
  }

  serverError(): SimResponse {
    return this.error('ECS.InternalError', '服务内部错误', 500);
  }

  seedFleet(options: FleetOptions): void {
    seedCecstackFleet(this, options);
  }

  // ---------------- test helpers ----------------

  addVm(vm: SimVm): SimVm {
    this.state.vms.set(vm.ecsId, vm);
    this.vmOrder.push(vm.ecsId);
    this.vmOrderDirty = true;
    this.state.touch();
    return vm;
  }

  instances(): SimVm[] {
    return [...this.state.vms.values()];
  }

  snapshots() {
    return [...this.state.snapshots.values()];
  }

  recycleEntries(): SimRecycleEntry[] {
    return [...this.state.recycle.values()];
  }

  // ---------------- protocol ----------------

  handle(req: SimRequest, ctx: SimContext): SimResponse {
    this.log.push({ method: req.method, path: req.path, rawQuery: req.rawQuery, body: req.body, headers: req.headers });
    try {
      if (!this.authenticated(req, ctx)) {
        if (this.options.gatewayAuth) return { status: 401, body: '<html><body><h1>401 Authorization Required</h1></body></html>' };
        throw new Fail('ECS.OperationDenied.AuthFail', '鉴权入参异常，请检查参数');
      }
      const region = req.headers['x-regionid'];
      if (!region) throw new Fail('ECS.InvalidParameter', '参数错误: header x-regionid is required');
      const route = this.route(req);
      if (!route) throw new Fail('ECS.InvalidParameter', `参数错误: no such API ${req.method} ${req.path}`);
      const now = ctx.clock.nowMs();
      this.sweepRecycle(now);
      const action = this.actionOf(req);
      const dbFailure = this.dbFailures.get(action);
      if (dbFailure && dbFailure.times > 0) {
        dbFailure.times--;
        if (dbFailure.acted) this.dispatch(action, route.id, req, region, now, ctx);
        throw new Fail(dbFailure.code, dbFailure.code.startsWith('ECS.DBCreate') ? '写入数据库异常' : '更新数据库资源失败');
      }
      const dispatched = this.dispatch(action, route.id, req, region, now, ctx);
      const data = this.options.sparse ? stripNulls(dispatched) : dispatched;
      return { status: 200, body: { requestId: this.requestId(), code: 'Success', message: '调用成功', data: data ?? null } };
    } catch (e) {
      if (e instanceof Fail) return this.error(e.code, e.message);
      throw e;
    }
  }

  private route(req: SimRequest): { action: string; id?: string } | undefined {
    if (!req.path.startsWith(PREFIX)) return undefined;
    const path = req.path.slice(PREFIX.length);
    for (const [method, pattern, action] of ROUTES) {
      if (method !== req.method) continue;
      const m = pattern.exec(path);
      if (m) return { action, id: m[1] === undefined ? undefined : decodeURIComponent(m[1]) };
    }
    return undefined;
  }

  private authenticated(req: SimRequest, ctx: SimContext): boolean {
    const scheme = this.options.auth?.scheme ?? 'any';
    const secrets = new Set(ctx.credentials.values());
    const bearer = () => {
      const custom = this.options.auth?.header?.toLowerCase();
      if (custom) return secrets.has(req.headers[custom] ?? '');
      const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
      return !!m && secrets.has(m[1]!);
    };
    const hmac = () => {
      const secret = ctx.credentials.get(req.headers['x-ca-key'] ?? '');
      const ts = req.headers['x-ca-timestamp'] ?? '';
      const given = req.headers['x-ca-signature'] ?? '';
      if (secret === undefined || !ts || Math.abs(Date.now() - Date.parse(ts)) > 300_000) return false;
      const text = [req.method, `${req.path}${req.rawQuery ? `?${req.rawQuery}` : ''}`, ts, createHash('sha256').update(req.body).digest('hex')].join('\n');
      const want = Buffer.from(createHmac('sha256', secret).update(text).digest('base64'));
      return want.length === Buffer.byteLength(given) && timingSafeEqual(want, Buffer.from(given));
    };
    if (scheme === 'bearer') return bearer();
    if (scheme === 'example-hmac') return hmac();
    return bearer() || hmac();
  }

  private error(code: string, message: string, status = 400): SimResponse {
    return { status, body: { requestId: this.requestId(), code, message, data: null } };
  }

  private requestId(): string {
    const n = (++this.requestSeq).toString(16).padStart(12, '0');
    return `5eed0003-0000-4000-8000-${n}`;
  }

  private dispatch(action: string, id: string | undefined, req: SimRequest, region: string, now: number, ctx: SimContext): unknown {
    const body = () => parseBody(req.body);
    switch (action) {
      case 'ListInstances':
        return this.listInstances(req.query, region, now);
      case 'GetInstance':
        return renderVm(this.vm(id!, region), now);
      case 'DeleteInstance':
        this.failIfMarked([id!], ctx);
        this.deleteVm(this.vm(id!, region), now);
        return null;
      case 'BatchDeleteInstances': {
        const ids = idList(body(), 'ecsIds');
        this.failIfMarked(ids, ctx);
        const vms = ids.map((i) => this.vm(i, region));
        for (const vm of vms) this.checkDeletable(vm);
        for (const vm of vms) this.deleteVm(vm, now);
        return null;
      }
      case 'StopInstance':
      case 'BatchStopInstances': {
        const b = body();
        const ids = action === 'StopInstance' ? [id!] : idList(b, 'ecsIds');
        // table: gracePeriodSeconds; sample: GracePeriodSeconds (seed 003 L6791 vs L6803) — both accepted
        const grace = b.gracePeriodSeconds ?? b.GracePeriodSeconds;
        if (action === 'BatchStopInstances' && grace === undefined) throw new Fail('ECS.InvalidParameter', '参数错误: gracePeriodSeconds is required');
        if (grace !== undefined && grace !== 0 && grace !== 1) throw new Fail('ECS.InvalidParameter', '参数错误: gracePeriodSeconds must be 0 or 1');
        this.failIfMarked(ids, ctx);
        const vms = ids.map((i) => this.vm(i, region));
        for (const vm of vms) if (vm.status.toLowerCase() !== 'running') throw statusFail(vm);
        for (const vm of vms) vm.status = 'Stopped';
        this.state.touch();
        return null;
      }
      case 'StartInstance': {
        const vm = this.vm(id!, region);
        if (vm.status !== 'Stopped') throw statusFail(vm);
        vm.status = 'Running';
        this.state.touch();
        return null;
      }
      case 'SetLabels':
        return this.setLabels(this.vm(id!, region), parseJson(req.body));
      case 'RenewResources':
        return this.renewQuote(this.vm(id!, region), body(), now);
      case 'Renew':
        this.failIfMarked([id!], ctx);
        return this.renew(this.vm(id!, region), body(), now);
      case 'QueryPrice':
        return this.queryPrice(body(), region);
      case 'ListRegions':
        if (!body().tenantId) throw new Fail('ECS.InvalidParameter', '参数错误: tenantId is required');
        return this.regions().map((r) => ({ regionId: r, regionDisplayName: r, azList: [{ azId: 'AZ0', azDisplayName: 'AZ0' }] }));
      case 'ListSnapshots':
        return this.listSnapshots(req.query, region, now);
      case 'CreateSnapshot':
        return this.createSnapshot(body(), region, now);
      case 'GetSnapshot': {
        const s = this.snapshot(id!, region);
        return { ecsSnapshots: [renderSnapshot(s, now)], totalCount: 1 };
      }
      case 'DeleteSnapshot': {
        this.failIfMarked([id!], ctx);
        const s = this.snapshot(id!, region);
        this.toRecycleOrGone(s.ecsSnapshotId, now, () => {
          s.recycled = true;
          const vm = this.state.vms.get(s.ecsId);
          return { instanceType: 'ecsSnapshot', name: s.name, zone: vm?.az ?? 'AZ0', ecsId: s.ecsId, ecsName: vm?.displayName ?? '' };
        }, () => this.state.snapshots.delete(s.ecsSnapshotId));
        return null;
      }
      case 'ListPolicies':
        return this.listPolicies(req.query, region, now);
      case 'CreatePolicy':
        return this.createPolicy(body(), region, now);
      case 'GetPolicy':
        return { snapshotPolicies: [renderPolicy(this.policy(id!, region), now)], totalCount: 1 };
      case 'ModifyPolicy': {
        const p = this.policy(id!, region);
        Object.assign(p, policyFields(body()));
        this.state.touch();
        return null;
      }
      case 'DeletePolicy': {
        const p = this.policy(id!, region);
        for (const ecsId of p.bindEcs) {
          const vm = this.state.vms.get(ecsId);
          if (vm) vm.policyId = undefined;
        }
        this.state.policies.delete(p.policyId);
        this.state.touch();
        return null;
      }
      case 'BindPolicy':
      case 'UnbindPolicy': {
        const p = this.policy(id!, region);
        const ecsId = req.query.get('ecsId') ?? (req.body.trim() ? body().ecsId : undefined);
        if (typeof ecsId !== 'string' || !ecsId) throw new Fail('ECS.InvalidParameter', '参数错误: ecsId is required');
        this.failIfMarked([ecsId], ctx);
        const vm = this.vm(ecsId, region);
        if (action === 'BindPolicy') {
          if (vm.policyId && vm.policyId !== p.policyId) throw new Fail('ECS.OperationDenied.Repeat', `资源已存在，不能重复创建: ${ecsId} is bound to ${vm.policyId}`);
          vm.policyId = p.policyId;
          p.bindEcs.add(ecsId);
        } else {
          if (!p.bindEcs.has(ecsId)) throw new Fail('ECS.DBGet.NoData', `资源不存在: ${ecsId} is not bound to ${p.policyId}`);
          vm.policyId = undefined;
          p.bindEcs.delete(ecsId);
        }
        this.state.touch();
        return null;
      }
      case 'PausePolicy':
      case 'ResumePolicy':
        this.policy(id!, region).status = action === 'PausePolicy' ? 'disabled' : 'enabled';
        this.state.touch();
        return null;
      case 'ListRecycle':
        return this.listRecycle(req.query, region);
      case 'RestoreRecycledSnapshot':
      case 'PurgeRecycledSnapshot':
      case 'RestoreRecycledInstance':
      case 'PurgeRecycledInstance':
        this.failIfMarked([id!], ctx);
        return this.recycleAction(action, this.entry(id!, region, action.endsWith('Snapshot') ? 'ecsSnapshot' : 'ecs'));
      case 'GetRecycledInstance': {
        this.entry(id!, region, 'ecs');
        return renderRecycledVm(this.state.vms.get(id!)!);
      }
      case 'AutoClean': {
        const b = body();
        if (typeof b.instanceId !== 'string' || b.serviceCode !== 'ECS') throw new Fail('ECS.InvalidParameter', '参数错误: instanceId and serviceCode "ECS" are required');
        const e = this.entry(b.instanceId, region);
        if (e.cleanAt * 1000 > now) throw new Fail('ECS.InvalidParameter.Status.NotSupported', `此状态的虚机不允许执行该操作: ${e.instanceId} is not due before ${rfc3339(e.cleanAt * 1000)}`);
        return this.recycleAction(e.instanceType === 'ecs' ? 'PurgeRecycledInstance' : 'PurgeRecycledSnapshot', e);
      }
      case 'GetRecycleConfig':
        return { ...this.state.recycleConfig };
      case 'SetRecycleConfig': {
        const b = body();
        if (typeof b.enable !== 'boolean' || !Number.isInteger(b.freezeTime) || (b.freezeTime as number) < 0) {
          throw new Fail('ECS.InvalidParameter', '参数错误: enable (bool) and freezeTime (days) are required');
        }
        this.state.recycleConfig = { enable: b.enable, freezeTime: b.freezeTime as number };
        return null;
      }
      default:
        throw new Fail('ECS.InvalidParameter', `参数错误: ${action} is not simulated`);
    }
  }

  // ---------------- instances ----------------

  private regions(): string[] {
    return [...new Set([...this.state.vms.values()].map((v) => v.region))].sort();
  }

  private vm(id: string, region: string): SimVm {
    const vm = this.state.vms.get(id);
    if (!vm || vm.region !== region) throw new Fail('ECS.DBGet.NoData', `资源不存在: ${id}`);
    return vm;
  }

  private failIfMarked(ids: string[], ctx: SimContext): void {
    const bad = ids.find((i) => ctx.faults.isFailingId(i));
    // the batch answer has no per-id results (seed 003 L5637-5644): one bad id fails the call (D7)
    if (bad) throw new Fail('ECS.OperationDenied.CleanVolume', `清理云盘资源失败: ${bad}`);
  }

  private checkDeletable(vm: SimVm): void {
    if (vm.isLock) throw new Fail('ECS.OperationDenied.Identity', `对不起，您没有该资源的操作权限: ${vm.ecsId} is locked`);
    if (['terminating', 'softdeleted'].includes(vm.status.toLowerCase())) throw statusFail(vm);
  }

  private deleteVm(vm: SimVm, now: number): void {
    this.checkDeletable(vm);
    this.toRecycleOrGone(
      vm.ecsId,
      now,
      () => {
        if (!vm.bRecycle) return undefined;
        vm.status = 'SoftDeleted';
        vm.softDeletedAt = now;
        return { instanceType: 'ecs', name: vm.displayName, zone: vm.az, ecsId: vm.ecsId, ecsName: vm.displayName };
      },
      () => this.removeVm(vm.ecsId),
    );
  }

  private removeVm(id: string): void {
    const vm = this.state.vms.get(id);
    if (vm?.policyId) this.state.policies.get(vm.policyId)?.bindEcs.delete(id);
    this.state.vms.delete(id);
    this.vmOrderDirty = true;
    this.state.touch();
  }

  /** With the bin on, the resource becomes an entry with cleanAt = now + freezeTime days (digest §5.4). */
  private toRecycleOrGone(
    id: string,
    now: number,
    recycle: () => { instanceType: SimRecycleEntry['instanceType']; name: string; zone: string; ecsId: string; ecsName: string } | undefined,
    gone: () => void,
  ): void {
    const info = this.state.recycleConfig.enable ? recycle() : undefined;
    if (!info) {
      gone();
    } else {
      this.state.recycle.set(id, {
        id: this.state.nextSeq(),
        instanceId: id,
        instanceName: info.name,
        instanceType: info.instanceType,
        region: this.regionOf(id),
        zone: info.zone,
        createdAt: now,
        cleanAt: Math.floor(now / 1000) + this.state.recycleConfig.freezeTime * 86400,
        associatedEcsId: info.ecsId,
        associatedEcsName: info.ecsName,
      });
    }
    this.state.touch();
  }

  private regionOf(id: string): string {
    return this.state.vms.get(id)?.region ?? this.state.snapshots.get(id)?.region ?? 'region0';
  }

  /** Filtered, ordered ids for one listing, cached until the state changes (paging stays O(page)). */
  private listInstances(q: URLSearchParams, region: string, now: number) {
    const { page, size } = pageParams(q, 'pageNumber', 'pageSize', this.options.pageClamp);
    const filter = q.get('filter') ?? '';
    const labels = q.get('vmLabels') ?? '';
    const key = `${region}|${filter}|${labels}`;
    if (this.vmOrderDirty) {
      this.vmOrder = [...this.state.vms.values()].sort((a, b) => b.createdAt - a.createdAt || a.ecsId.localeCompare(b.ecsId)).map((v) => v.ecsId);
      this.vmOrderDirty = false;
    }
    if (!this.listCache || this.listCache.key !== key || this.listCache.version !== this.state.version) {
      const match = instanceMatcher(filter, labels);
      const ids = this.vmOrder.filter((id) => {
        const vm = this.state.vms.get(id);
        return vm !== undefined && vm.region === region && match(vm);
      });
      this.listCache = { key, version: this.state.version, ids };
    }
    const ids = this.listCache.ids;
    return {
      totalCount: ids.length,
      virtualMachines: ids.slice((page - 1) * size, page * size).map((id) => renderVm(this.state.vms.get(id)!, now)),
    };
  }

  private setLabels(vm: SimVm, labels: unknown): null {
    if (!Array.isArray(labels)) throw new Fail('ECS.InvalidParameter', '参数错误: the body must be an array of {key, value}');
    if (labels.length > 5) throw new Fail('ECS.InvalidParameter', '参数错误: at most five labels (最多五个标签)');
    const next = labels.map((l: Json) => {
      if (typeof l?.key !== 'string' || !l.key || typeof l.value !== 'string') throw new Fail('ECS.InvalidParameter', '参数错误: each label needs key and value strings');
      return { key: l.key, value: l.value };
    });
    if (new Set(next.map((l) => l.key)).size !== next.length) throw new Fail('ECS.InvalidParameter', '参数错误: duplicate label key');
    vm.labels = next;
    this.state.touch();
    return null;
  }

  // ---------------- renewal and prices (cycleCount in months, D13) ----------------

  private renewQuote(vm: SimVm, b: Json, now: number) {
    const cycles = b.cycleCount === undefined ? 1 : cycleCount(b); // the sample sends no body (seed 003 L6431)
    const wanted = Array.isArray(b.volumes) ? new Set(b.volumes as string[]) : undefined;
    const expiry = (ms?: number) => (ms === undefined ? rfc3339(undefined) : rfc3339(ms));
    const countdown = (ms?: number) => (ms === undefined ? 0 : Math.max(0, Math.ceil((ms - now) / 86_400_000)));
    return {
      serviceCode: 'ECS',
      instanceId: vm.ecsId,
      instanceName: vm.displayName,
      region: vm.region,
      az: vm.az,
      expireCountdown: countdown(vm.expiresAt),
      expireTime: expiry(vm.expiresAt),
      price: yuan(vm.monthlyFen * cycles),
      displayPrice: displayYuan(vm.monthlyFen * cycles),
      volumes: vm.volumes
        .filter((v) => !wanted || wanted.has(v.volumeUuid))
        .map((v) => ({
          serviceCode: 'EBS',
          instanceId: v.volumeUuid,
          instanceName: v.name,
          expireCountdown: countdown(v.expiresAt),
          expireTime: expiry(v.expiresAt),
          volumeTypeId: 'hdd',
          size: v.sizeGb,
          price: yuan(v.sizeGb * 70 * cycles),
          displayPrice: displayYuan(v.sizeGb * 70 * cycles),
        })),
      eips: vm.eips.length
        ? vm.eips.map((e) => ({ serviceCode: 'EIP', instanceId: e.eipId, expireTime: expiry(e.expiresAt), price: yuan(e.monthlyFen * cycles), displayPrice: displayYuan(e.monthlyFen * cycles) }))
        : null,
    };
  }

  private renew(vm: SimVm, b: Json, now: number): null {
    const cycles = cycleCount(b);
    if (vm.billingMode !== 'ByCycle' || vm.expiresAt === undefined) throw statusFail(vm);
    const extend = (ms: number) => endOfBeijingDay(addMonths(Math.max(ms, now), cycles));
    vm.expiresAt = extend(vm.expiresAt);
    const volumes = Array.isArray(b.volumes) ? new Set(b.volumes as string[]) : undefined;
    for (const v of vm.volumes) if (v.expiresAt !== undefined && volumes?.has(v.volumeUuid)) v.expiresAt = extend(v.expiresAt);
    this.state.touch();
    return null;
  }

  private queryPrice(b: Json, region: string) {
    for (const f of ['tenantId', 'departmentId', 'region', 'az', 'action', 'billingMode']) {
      if (typeof b[f] !== 'string' || !b[f]) throw new Fail('ECS.InvalidParameter', `参数错误: ${f} is required`);
    }
    const cycles = b.cycleCount === undefined ? 1 : cycleCount(b);
    let fen: number;
    if (String(b.action).toLowerCase() === 'renew') {
      if (typeof b.ecsId !== 'string') throw new Fail('ECS.InvalidParameter', '参数错误: ecsId is required for action Renew');
      fen = this.vm(b.ecsId, region).monthlyFen * cycles;
    } else {
      const flavors = Array.isArray(b.flavors) ? (b.flavors as Json[]) : [];
      fen = flavors.reduce((sum, f) => sum + (Number(f.cpu ?? 1) * 5000 + Number(f.ram ?? 1) * 1000), 0) * cycles * Number(b.amount ?? 1);
    }
    const price = yuan(fen);
    return {
      showPriceSwitch: 'on',
      totalPrice: { displayPrice: displayYuan(fen), price, discount: 0, total: price, priceDetailDTOS: [{ serviceCode: 'ECS', instanceId: String(b.ecsId ?? ''), displayPrice: displayYuan(fen), price, discount: 0, total: price }] },
      tips: '',
    };
  }

  // ---------------- snapshots ----------------

  private snapshot(id: string, region: string) {
    const s = this.state.snapshots.get(id);
    if (!s || s.recycled || s.region !== region) throw new Fail('ECS.DBGet.NoData', `资源不存在: ${id}`);
    return s;
  }

  /** Filter names are lower-case in the table (seed 003 L10813-10814); any case accepted (digest Q10). */
  private listSnapshots(q: URLSearchParams, region: string, now: number) {
    const { page, size } = pageParams(q, 'pageNumber', 'pageSize', this.options.pageClamp);
    const ecsId = queryAnyCase(q, 'ecsid');
    const snapId = queryAnyCase(q, 'snapshotid');
    const all = [...this.state.snapshots.values()]
      .filter((s) => !s.recycled && s.region === region && (!ecsId || s.ecsId === ecsId) && (!snapId || s.ecsSnapshotId === snapId))
      .sort((a, b) => b.createdAt - a.createdAt || a.ecsSnapshotId.localeCompare(b.ecsSnapshotId));
    const expireOf = (s: (typeof all)[number]) => (s.type === 'auto' ? this.state.policies.get(this.state.vms.get(s.ecsId)?.policyId ?? '')?.expire : undefined);
    return { ecsSnapshots: all.slice((page - 1) * size, page * size).map((s) => renderSnapshot(s, now, expireOf(s))), totalCount: all.length };
  }

  private createSnapshot(b: Json, region: string, now: number): null {
    if (typeof b.ecsId !== 'string' || typeof b.snapshotName !== 'string' || !b.snapshotName) {
      throw new Fail('ECS.InvalidParameter', '参数错误: ecsId and snapshotName are required');
    }
    const vm = this.vm(b.ecsId, region);
    if (vm.status === 'SoftDeleted' || vm.status === 'Terminating') throw statusFail(vm);
    this.addSnapshot({ ecsId: vm.ecsId, name: b.snapshotName, region, createdAt: now, type: 'manual' });
    return null;
  }

  addSnapshot(s: { ecsId: string; name: string; region: string; createdAt: number; type: 'manual' | 'auto'; id?: string }) {
    const id = s.id ?? `ecs.snapshot-${idChars(this.state.nextSeq(), 16)}`;
    const snap = { ecsSnapshotId: id, name: s.name, ecsId: s.ecsId, region: s.region, createdAt: s.createdAt, type: s.type, recycled: false };
    this.state.snapshots.set(id, snap);
    this.state.touch();
    return snap;
  }

  // ---------------- policies ----------------

  private policy(id: string, region: string) {
    const p = this.state.policies.get(id);
    if (!p || p.region !== region) throw new Fail('ECS.DBGet.NoData', `资源不存在: ${id}`);
    return p;
  }

  private listPolicies(q: URLSearchParams, region: string, now: number) {
    const { page, size } = pageParams(q, 'pageNumber', 'pageSize', this.options.pageClamp);
    const name = q.get('policyName');
    const pid = q.get('policyId');
    const all = [...this.state.policies.values()].filter((p) => p.region === region && (!name || p.policyName === name) && (!pid || p.policyId === pid));
    return { snapshotPolicies: all.slice((page - 1) * size, page * size).map((p) => renderPolicy(p, now)), totalCount: all.length };
  }

  private createPolicy(b: Json, region: string, now: number): null {
    const fields = policyFields(b);
    if ([...this.state.policies.values()].some((p) => p.region === region && p.policyName === fields.policyName)) {
      throw new Fail('ECS.OperationDenied.Repeat', `资源已存在，不能重复创建: ${fields.policyName}`);
    }
    const policyId = `ecs.policy-${idChars(this.state.nextSeq(), 16)}`;
    this.state.policies.set(policyId, { policyId, region, createdAt: now, status: 'enabled', bindEcs: new Set(), ...fields });
    this.state.touch();
    return null;
  }

  // ---------------- recycle bin ----------------

  private entry(id: string, region: string, type?: SimRecycleEntry['instanceType']): SimRecycleEntry {
    const e = this.state.recycle.get(id);
    if (!e || e.region !== region || (type && e.instanceType !== type)) throw new Fail('ECS.DBGet.NoData', `资源不存在: ${id} is not in the recycle bin`);
    return e;
  }

  private listRecycle(q: URLSearchParams, region: string) {
    // current and size are required (seed 003 L13100-13101)
    if (!q.get('current') || !q.get('size')) throw new Fail('ECS.InvalidParameter', '参数错误: current and size are required');
    const { page, size } = pageParams(q, 'current', 'size', this.options.pageClamp);
    const ecsId = q.get('ecsId');
    const instanceId = q.get('instanceId');
    const name = q.get('instanceName');
    const all = [...this.state.recycle.values()]
      .filter((e) => e.region === region && (!ecsId || e.associatedEcsId === ecsId) && (!instanceId || e.instanceId === instanceId) && (!name || e.instanceName.includes(name)))
      .sort((a, b) => b.createdAt - a.createdAt || a.id - b.id);
    // `total` is the number of pages here ("总页数", seed 003 L13117), unlike the other lists' record counts
    return { size, current: page, total: Math.ceil(all.length / size), list: all.slice((page - 1) * size, page * size).map(renderRecycle) };
  }

  private recycleAction(action: string, e: SimRecycleEntry): null {
    this.state.recycle.delete(e.instanceId);
    if (e.instanceType === 'ecs') {
      const vm = this.state.vms.get(e.instanceId);
      if (action === 'RestoreRecycledInstance' && vm) {
        vm.status = 'Stopped'; // post-restore power state undocumented (D10)
        vm.softDeletedAt = undefined;
      } else {
        this.removeVm(e.instanceId);
      }
    } else {
      const s = this.state.snapshots.get(e.instanceId);
      if (action === 'RestoreRecycledSnapshot' && s) s.recycled = false;
      else this.state.snapshots.delete(e.instanceId);
    }
    this.state.touch();
    return null;
  }

  /** Entries past cleanAt are purged by the platform (digest §5.4). */
  private sweepRecycle(now: number): void {
    for (const e of this.state.recycle.values()) {
      if (e.cleanAt * 1000 <= now) this.recycleAction('purge', e);
    }
  }

  /** Demo/test helper: puts a VM or snapshot into the bin as of `at`. */
  recycleNow(id: string, at: number): void {
    const vm = this.state.vms.get(id);
    if (vm) this.deleteVm(vm, at);
    else {
      const s = this.state.snapshots.get(id);
      if (!s) throw new Error(`no VM or snapshot ${id}`);
      this.toRecycleOrGone(id, at, () => {
        s.recycled = true;
        return { instanceType: 'ecsSnapshot', name: s.name, zone: 'AZ0', ecsId: s.ecsId, ecsName: '' };
      }, () => this.state.snapshots.delete(id));
    }
  }
}

// ---------------- helpers ----------------

function parseJson(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new Fail('ECS.InvalidParameter', '参数错误: the body is not JSON');
  }
}

function parseBody(text: string): Json {
  const v = parseJson(text);
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Fail('ECS.InvalidParameter', '参数错误: the body must be a JSON object');
  return v as Json;
}

function idList(b: Json, field: string): string[] {
  const v = b[field];
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string')) throw new Fail('ECS.InvalidParameter', `参数错误: ${field} must be a non-empty array of ids`);
  if (v.length > 50) throw new Fail('ECS.InvalidParameter', `参数错误: at most 50 ids per call`);
  return v as string[];
}

function statusFail(vm: SimVm): Fail {
  return new Fail('ECS.InvalidParameter.Status.NotSupported', `此状态的虚机不允许执行该操作: ${vm.ecsId} is ${vm.status}`);
}

function cycleCount(b: Json): number {
  const n = b.cycleCount;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new Fail('ECS.InvalidParameter', '参数错误: cycleCount must be a whole number ≥ 1');
  return n;
}

function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.getTime();
}

/** 1-based pages; page 0 is read as the first page (seed 003 L2333 says 0 is the first page there). Default size 20 (L2585). */
function pageParams(q: URLSearchParams, pageName: string, sizeName: string, clamp?: number): { page: number; size: number } {
  const page = Number(q.get(pageName) ?? '1');
  const size = Number(q.get(sizeName) ?? '20');
  if (!Number.isInteger(page) || page < 0 || !Number.isInteger(size) || size < 1) throw new Fail('ECS.InvalidParameter', `参数错误: ${pageName}/${sizeName} must be positive integers`);
  return { page: Math.max(1, page), size: Math.min(size, clamp ?? size) };
}

function queryAnyCase(q: URLSearchParams, lower: string): string | undefined {
  for (const [k, v] of q) if (k.toLowerCase() === lower && v) return v;
  return undefined;
}

function policyFields(b: Json) {
  const { policyName, hourOfDay, weekDays, expire } = b;
  if (typeof policyName !== 'string' || !policyName) throw new Fail('ECS.InvalidParameter', '参数错误: policyName is required');
  const hours = String(hourOfDay ?? '').split(',').map(Number);
  const days = String(weekDays ?? '').split(',').map(Number);
  if (typeof hourOfDay !== 'string' || hours.some((h) => !Number.isInteger(h) || h < 0 || h > 23)) throw new Fail('ECS.InvalidParameter', '参数错误: hourOfDay is a comma list of hours 0-23');
  if (typeof weekDays !== 'string' || days.some((d) => !Number.isInteger(d) || d < 0 || d > 7)) throw new Fail('ECS.InvalidParameter', '参数错误: weekDays is a comma list of 1-7');
  if (typeof expire !== 'number' || !Number.isInteger(expire) || expire < 0 || expire > 65536) throw new Fail('ECS.InvalidParameter', '参数错误: expire must be 0-65536');
  return { policyName, hourOfDay, weekDays, expire };
}

/** The `filter=` mini-language (seed 003 L6060) plus the `vmLabels=key=value` parameter (L6028). */
function instanceMatcher(filter: string, labels: string): (vm: SimVm) => boolean {
  const clauses = filter
    .split('|')
    .filter(Boolean)
    .map((c) => {
      const [field = '', op = '', ...rest] = c.split(':');
      if (!['eq', 'lk', 'in'].includes(op)) throw new Fail('ECS.InvalidParameter', `参数错误: filter operator ${op}`);
      return { field, op, value: rest.join(':') };
    });
  const fieldOf = (vm: SimVm, field: string): string | undefined =>
    ({ displayName: vm.displayName, ecsId: vm.ecsId, departmentId: vm.departmentId, resourceGroupId: vm.resourceGroupId, status: vm.status, az: vm.az, cpuArch: 'x86' })[field];
  const [lk, lv] = labels ? [labels.slice(0, labels.indexOf('=')), labels.slice(labels.indexOf('=') + 1)] : [];
  return (vm) =>
    clauses.every(({ field, op, value }) => {
      const v = fieldOf(vm, field);
      if (v === undefined) throw new Fail('ECS.InvalidParameter', `参数错误: filter field ${field}`);
      if (op === 'eq') return v === value;
      if (op === 'lk') return v.includes(value);
      return value.split(',').some((x) => x.toLowerCase() === v.toLowerCase());
    }) && (!labels || vm.labels.some((l) => l.key === lk && l.value === lv));
}

/** Unique ids of the documented shape: hash characters, then the sequence number in base 36. */
export function idChars(n: number, length: number): string {
  const tail = n.toString(36).padStart(6, '0');
  let x = (n * 2654435761) >>> 0;
  let s = '';
  while (s.length < length - tail.length) {
    x = (Math.imul(x ^ (x >>> 15), 2246822519) + n) >>> 0;
    s += (x % 36).toString(36);
  }
  return s + tail;
}
