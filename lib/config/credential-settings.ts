import type { AutomationConfig } from './schema';

type Target = AutomationConfig['targets'][number];

/** Names the credential settings of a target (never their values): what to check when the vendor refuses them. */
export function credentialSettings(target: Pick<Target, 'credentials' | 'operatorCredentials'>): string {
  const describe = (field: string, c: Target['credentials']) =>
    'secretEnv' in c ? `${field}.accessKeyIdEnv ${c.accessKeyIdEnv}, ${field}.secretEnv ${c.secretEnv}` : `${field}.accessKeyIdParameter ${c.accessKeyIdParameter}, ${field}.secretParameter ${c.secretParameter}`;
  return [describe('credentials', target.credentials), ...(target.operatorCredentials ? [describe('operatorCredentials', target.operatorCredentials)] : [])].join('; ');
}
