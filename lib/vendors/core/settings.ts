import { z } from 'zod';
import type { CallOrigin } from './errors';
import type { Credentials } from './model';
import type { Transport } from './transport';

/**
 * A vendor endpoint setting: a URL without a user name or password, since a call that fails names
 * its endpoint (core `withTargetHint`) in messages, logs and the trail.
 */
export function vendorEndpoint(example?: string) {
  return z.url({ error: example ? `expected a URL like "${example}"` : 'expected a URL' }).refine(
    (url) => {
      if (!URL.canParse(url)) return true; // not a URL: said by the check above
      const parsed = new URL(url);
      return parsed.username === '' && parsed.password === '';
    },
    { error: 'must not carry a user name or password (a failed call names its endpoint): credentials belong in credentials / operatorCredentials' },
  );
}

/**
 * Per-vendor target settings (the `settings:` block of a target in the automation config).
 * They live with the vendor library; the config schema embeds them per vendor.
 */
export const tencentSettings = z
  .object({
    /** HmacSHA256 unless the target chooses otherwise (seed 004 signature section). */
    signatureMethod: z.enum(['HmacSHA256', 'HmacSHA1', 'TC3-HMAC-SHA256']).default('HmacSHA256'),
    httpMethod: z.enum(['GET', 'POST']).default('POST'),
    /** Use `cvm.<region>.tencentcloudapi.com` (required for finance regions). */
    regionalEndpoint: z.boolean().default(false),
  })
  .strict();

export const kecSettings = z
  .object({
    /** ProjectIds to scan; when absent every project the account has (DescribeInstances without ProjectId may show only the default project). */
    projects: z.array(z.string().min(1)).optional(),
  })
  .strict();

export const alibabaSettings = z
  .object({
    /** Apsara Stack organisation / resource-set headers where a deployment needs them. */
    department: z.string().optional(),
    resourceGroup: z.string().optional(),
  })
  .strict();

export const cecstackSettings = z
  .object({
    tenantId: z.string().optional(),
    departmentId: z.string().optional(),
    resourceGroupId: z.string().optional(),
    /**
     * Authentication is in a separate vendor document (seed 003 L1234): `bearer` (a token obtained out
     * of band) or `hook` (a signing module). `ak-header` (the raw secret in a header) is refused.
     */
    auth: z
      .object({
        scheme: z.enum(['bearer', 'hook', 'ak-header']).default('bearer'),
        header: z.string().optional(),
        /** scheme hook: path (or package) of a module exporting createSigner(credentials, { target }). */
        module: z.string().min(1).optional(),
      })
      .strict()
      .superRefine((a, ctx) => {
        if (a.scheme === 'ak-header') {
          ctx.addIssue({
            code: 'custom',
            path: ['scheme'],
            message:
              'scheme "ak-header" was removed: it sent the raw secret key in a header on every request. Use "bearer" with a token obtained out of band (credentials.tokenEnv), or "hook" with module: a signing module written from the vendor\'s authentication document',
          });
        }
        if (a.scheme === 'hook' && !a.module) ctx.addIssue({ code: 'custom', path: ['module'], message: 'scheme "hook" needs module: the path of a signing module exporting createSigner(credentials, { target })' });
        if (a.scheme !== 'hook' && a.module) ctx.addIssue({ code: 'custom', path: ['module'], message: 'module applies to scheme "hook" only' });
        if (a.scheme !== 'bearer' && a.header) ctx.addIssue({ code: 'custom', path: ['header'], message: 'header applies to scheme "bearer" only' });
      })
      .default({ scheme: 'bearer' }),
    /** Operator-side (omphost) base URL for recycle-bin configuration and flavors. */
    operatorEndpoint: vendorEndpoint().optional(),
  })
  .strict();

export const vendorSettings = {
  tencent: tencentSettings,
  kec: kecSettings,
  alibaba: alibabaSettings,
  cecstack: cecstackSettings,
} as const;

export type TencentSettings = z.infer<typeof tencentSettings>;
export type KecSettings = z.infer<typeof kecSettings>;
export type AlibabaSettings = z.infer<typeof alibabaSettings>;
export type CecstackSettings = z.infer<typeof cecstackSettings>;

/** What every vendor client factory receives. */
export interface ClientOptions<TSettings> {
  target: string;
  /** Base URL override (how tests and Apsara Stack deployments point the client somewhere). */
  endpoint?: string;
  credentials: Credentials;
  /** Operator-side credentials (CECSTACK omphost), when configured. */
  operatorCredentials?: Credentials;
  transport: Transport;
  settings: TSettings;
  /** The settings the credentials came from, by name (never values): a call the vendor refuses for its credentials names them. */
  credentialSettings?: string;
  /**
   * Business time in epoch ms (default: the machine clock). Vendor rules relative to "now" (KEC's
   * 30-minute timer lead) and times we stamp read it, so a run with a set clock is consistent.
   */
  now?: () => number;
}

/** Where a client's calls go, named when one fails (core `withTargetHint`): its target, endpoint (the configured one unless a side has its own) and credential settings. */
export function callOrigin(options: Pick<ClientOptions<unknown>, 'target' | 'endpoint' | 'credentialSettings'>, endpoint = options.endpoint): CallOrigin {
  return { target: options.target, endpoint, credentialSettings: options.credentialSettings };
}
