// A signing hook module as a user writes one (settings.auth: { scheme: hook, module: ./signer.mjs }).
// The scheme here is the simulator's stand-in ("example-hmac", sim/DECISIONS.md D2), NOT CECSTACK's:
// a real module follows the vendor's authentication document (seed 003 L1234).
import { createHash, createHmac } from 'node:crypto';

export function createSigner(credentials) {
  return {
    sign(request, now) {
      const url = new URL(request.url);
      const timestamp = now.toISOString();
      const text = [request.method, `${url.pathname}${url.search}`, timestamp, createHash('sha256').update(request.body ?? '').digest('hex')].join('\n');
      return {
        'x-ca-key': credentials.accessKeyId,
        'x-ca-timestamp': timestamp,
        'x-ca-signature': createHmac('sha256', credentials.secret).update(text).digest('base64'),
      };
    },
  };
}
