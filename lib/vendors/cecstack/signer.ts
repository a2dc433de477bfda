import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CecstackSettings, Credentials } from '../core';

/**
 * Authentication is not in seed 003: the header section defers "签名计算、认证鉴权" to a separate
 * 《公共说明 API 参考》 (seed 003 L1234, L4687), which a deployment must obtain from the vendor. So
 * authentication is a plug-in point per target, and the secret key never travels in clear:
 * - `bearer`: a token obtained out of band (from the vendor's identity service) goes in
 *   `Authorization: Bearer …` or in the header `auth.header` names;
 * - `hook`: a signing module the user writes from the vendor's authentication document
 *   (`auth.module`); it sees method, URL, headers and the exact body bytes, afresh per attempt.
 * The former `ak-header` scheme sent the raw secret in a header on every request: refused.
 */
export interface SignableRequest {
  method: string;
  /** Full URL including the query string, exactly as sent. */
  url: string;
  /** Headers already set (lower-case names): `content-type`, `x-regionid`. */
  headers: Record<string, string>;
  body?: string;
}

export interface CecstackSigner {
  /** Headers to add to this request. Called per attempt with the real wall clock. */
  sign(request: SignableRequest, now: Date): Record<string, string> | Promise<Record<string, string>>;
  /** Resolves once the signer can sign (a hook module loaded); a configuration error rejects here, before any request. */
  ready?(): Promise<void>;
}

/** What an `auth.module` exports: `createSigner` (named or default export). */
export interface CecstackSignerModule {
  createSigner(credentials: Credentials, context: { target: string }): CecstackSigner | Promise<CecstackSigner>;
}

export class SignerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignerConfigError';
  }
}

export const AK_HEADER_REMOVED =
  'cecstack auth.scheme "ak-header" was removed: it sent the raw secret key in a request header on every call, and no CECSTACK document defines it. ' +
  'Use scheme "bearer" with a token obtained out of band (credentials.tokenEnv), or scheme "hook" with module: a signing module written from the vendor\'s authentication document (《公共说明 API 参考》, seed 003 L1234)';

type Auth = CecstackSettings['auth'];
type Loader = (specifier: string) => Promise<unknown>;

const importModule: Loader = (specifier) => import(/^\.{0,2}\//.test(specifier) || isAbsolute(specifier) ? pathToFileURL(resolve(specifier)).href : specifier);

/** The signer a target's `settings.auth` asks for. */
export function configuredSigner(auth: Auth, credentials: Credentials, target: string, load: Loader = importModule): CecstackSigner {
  if (auth.scheme === 'ak-header') throw new SignerConfigError(AK_HEADER_REMOVED);
  if (auth.scheme === 'hook') return hookSigner(auth.module, credentials, target, load);
  // bearer: the value sent is the token; a target without tokenEnv keeps the token in its secret slot
  const token = credentials.token ?? credentials.secret;
  if (!token) throw new SignerConfigError('cecstack auth.scheme "bearer" needs a token: set credentials.tokenEnv (or secretEnv) to a token obtained out of band, never an AccessKey secret');
  const header = auth.header?.trim();
  const headers = header ? { [header.toLowerCase()]: token } : { authorization: `Bearer ${token}` };
  return { sign: () => ({ ...headers }) };
}

function hookSigner(specifier: string | undefined, credentials: Credentials, target: string, load: Loader): CecstackSigner {
  if (!specifier) throw new SignerConfigError('cecstack auth.scheme "hook" needs settings.auth.module: the path of a module exporting createSigner(credentials, { target })');
  let loaded: Promise<CecstackSigner> | undefined;
  const signer = () =>
    (loaded ??= (async () => {
      let mod: Partial<CecstackSignerModule> & { default?: Partial<CecstackSignerModule> };
      try {
        mod = (await load(specifier)) as typeof mod;
      } catch (e) {
        throw new SignerConfigError(`cecstack auth.module "${specifier}" could not be loaded: ${(e as Error).message}`);
      }
      const create = mod.createSigner ?? mod.default?.createSigner;
      if (typeof create !== 'function') throw new SignerConfigError(`cecstack auth.module "${specifier}" exports no createSigner(credentials, { target })`);
      const made = await create(credentials, { target });
      if (!made || typeof made.sign !== 'function') throw new SignerConfigError(`cecstack auth.module "${specifier}": createSigner returned no sign(request, now) function`);
      return made;
    })());
  return {
    ready: async () => {
      await signer();
    },
    sign: async (request, now) => (await signer()).sign(request, now),
  };
}
