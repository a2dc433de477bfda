import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * Loopback stand-ins for the chat APIs, one per vendor. Each checks the request the way its
 * vendor documents (signature, key in the URL, size and rate limits, error codes: sources in
 * lib/notify/DECISIONS.md), records what was accepted, and answers as the vendor does. The rate
 * window runs on `now` (the test's clock), signature freshness on the real clock.
 */

export interface Received {
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: string;
  body: Record<string, unknown>;
}

export interface Receiver {
  url: string;
  /** Accepted posts, in order. */
  posts: Received[];
  /** Every request, accepted or not. */
  requests: number;
  /** Answer the next n posts with the vendor's "too fast" reply. */
  throttleNext(n: number): void;
  close(): Promise<void>;
}

interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body: unknown;
}

type Handler = (r: Received, state: { throttled: boolean; overRate: boolean }) => Reply;

const HOUR_MS = 3_600_000;

async function serve(path: string, perWindow: { limit: number; windowMs: number }[], now: () => number, handle: Handler): Promise<Receiver> {
  const posts: Received[] = [];
  const sent: number[] = [];
  let throttle = 0;
  let requests = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        /* the handler rejects it */
      }
      const t = now();
      const overRate = perWindow.some((w) => sent.filter((s) => s > t - w.windowMs).length >= w.limit);
      const r: Received = { path: u.pathname, query: u.searchParams, headers: req.headers, raw, body };
      const throttled = throttle > 0;
      if (throttled) throttle--;
      const reply = handle(r, { throttled, overRate });
      if ((reply.status ?? 200) === 200 && isAccepted(reply.body)) {
        posts.push(r);
        sent.push(t);
      }
      res.writeHead(reply.status ?? 200, { 'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json', ...reply.headers });
      res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    posts,
    get requests() {
      return requests;
    },
    throttleNext(n: number) {
      throttle = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function isAccepted(body: unknown): boolean {
  if (body === 'ok') return true;
  const b = body as Record<string, unknown>;
  return b?.errcode === 0 || b?.code === 0 || b?.accepted === true;
}

const safeEqual = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** DingTalk custom robot with the 加签 security setting. */
export function dingtalkReceiver(o: { accessToken: string; secret: string; now: () => number }): Promise<Receiver> {
  return serve(`/robot/send?access_token=${o.accessToken}`, [{ limit: 20, windowMs: 60_000 }], o.now, (r, s) => {
    if (r.query.get('access_token') !== o.accessToken) return { body: { errcode: 300001, errmsg: 'token is not exist' } };
    const ts = r.query.get('timestamp') ?? '';
    const sign = r.query.get('sign') ?? ''; // URLSearchParams has undone the urlEncode
    const expected = createHmac('sha256', o.secret).update(`${ts}\n${o.secret}`, 'utf8').digest('base64');
    if (!/^\d{13}$/.test(ts) || Math.abs(Date.now() - Number(ts)) > HOUR_MS || !safeEqual(sign, expected)) return { body: { errcode: 310000, errmsg: 'sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]' } };
    if (s.throttled || s.overRate) return { body: { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } };
    const md = r.body.markdown as { title?: string; text?: string } | undefined;
    if (r.body.msgtype !== 'markdown' || !md?.title || !md.text) return { body: { errcode: 40035, errmsg: '缺少参数 json' } };
    if (bytes(r.raw) > 20_000) return { body: { errcode: 460101, errmsg: 'message too long, exceed 20000 bytes' } };
    return { body: { errcode: 0, errmsg: 'ok' } };
  });
}

/** WeCom group robot: the key in the URL, markdown content up to 4096 bytes, 20 a minute. */
export function wecomReceiver(o: { key: string; now: () => number }): Promise<Receiver> {
  return serve(`/cgi-bin/webhook/send?key=${o.key}`, [{ limit: 20, windowMs: 60_000 }], o.now, (r, s) => {
    if (r.query.get('key') !== o.key) return { body: { errcode: 93000, errmsg: 'invalid webhook url, hint: [1700000000_1_abc], from ip: 127.0.0.1' } };
    if (s.throttled || s.overRate) return { body: { errcode: 45009, errmsg: 'api freq out of limit' } };
    const content = (r.body.markdown as { content?: string } | undefined)?.content;
    if (r.body.msgtype !== 'markdown' || typeof content !== 'string') return { body: { errcode: 40008, errmsg: 'invalid message type' } };
    if (bytes(content) > 4096) return { body: { errcode: 40058, errmsg: 'markdown.content exceed max length 4096' } };
    return { body: { errcode: 0, errmsg: 'ok' } };
  });
}

/** Feishu / Lark custom bot with signature verification: 100 a minute and 5 a second, body up to 20 KB. */
export function feishuReceiver(o: { hookToken: string; secret: string; now: () => number }): Promise<Receiver> {
  return serve(`/open-apis/bot/v2/hook/${o.hookToken}`, [{ limit: 100, windowMs: 60_000 }, { limit: 5, windowMs: 1_000 }], o.now, (r, s) => {
    if (!r.path.endsWith(`/${o.hookToken}`)) return { status: 404, body: { code: 19001, msg: 'param invalid: incoming webhook access token invalid' } };
    const ts = String(r.body.timestamp ?? '');
    const expected = createHmac('sha256', `${ts}\n${o.secret}`).update('').digest('base64');
    if (!/^\d{10}$/.test(ts) || Math.abs(Date.now() / 1000 - Number(ts)) > 3600 || !safeEqual(String(r.body.sign ?? ''), expected)) {
      return { body: { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' } };
    }
    if (s.throttled || s.overRate) return { body: { code: 11232, msg: 'frequency limited psm[lark.oapi.app_platform_runtime]appID[1]' } };
    if (bytes(r.raw) > 20 * 1024) return { status: 400, body: { code: 9499, msg: 'Bad Request' } };
    if (r.body.msg_type !== 'interactive' || typeof r.body.card !== 'object') return { body: { code: 19002, msg: 'params error, msg_type need' } };
    return { body: { code: 0, msg: 'success', data: {} } };
  });
}

/** Slack incoming webhook: the token is the URL; 429 + Retry-After past ~1 a second; ≤ 50 blocks. */
export function slackReceiver(o: { token: string; now: () => number }): Promise<Receiver> {
  return serve(`/services/T0000000/B0000000/${o.token}`, [{ limit: 1, windowMs: 1_000 }], o.now, (r, s) => {
    if (!r.path.endsWith(`/${o.token}`)) return { status: 403, body: 'invalid_token' };
    if (s.throttled || s.overRate) return { status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' };
    const blocks = r.body.blocks;
    if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > 50) return { status: 400, body: 'invalid_blocks' };
    if (blocks.some((b: { text?: { text?: string } }) => (b.text?.text?.length ?? 0) > 3000)) return { status: 400, body: 'invalid_blocks' };
    return { body: 'ok' };
  });
}

/** Our generic webhook: X-Signature-256 = sha256=hex(HMAC-SHA256(secret, timestamp + "." + body)). */
export function webhookReceiver(o: { secret: string; now: () => number }): Promise<Receiver> {
  return serve('/hooks/cloud-automation', [], o.now, (r, s) => {
    const ts = String(r.headers['x-signature-timestamp'] ?? '');
    const expected = `sha256=${createHmac('sha256', o.secret).update(`${ts}.${r.raw}`, 'utf8').digest('hex')}`;
    if (Math.abs(Date.now() / 1000 - Number(ts)) > 300 || !safeEqual(String(r.headers['x-signature-256'] ?? ''), expected)) return { status: 401, body: { error: 'bad signature' } };
    if (s.throttled) return { status: 429, headers: { 'retry-after': '2' }, body: { error: 'slow down' } };
    return { body: { accepted: true } };
  });
}

export interface SmtpReceiver {
  port: number;
  mails: { from: string; to: string[]; data: string }[];
  close(): Promise<void>;
}

/** A minimal SMTP server (RFC 5321) with AUTH PLAIN and LOGIN (RFC 4954); a wrong password gets 535. */
export async function smtpReceiver(o: { user: string; password: string }): Promise<SmtpReceiver> {
  const mails: SmtpReceiver['mails'] = [];
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffer = '';
    let inData = false;
    let authed = false;
    let login: 'user' | 'pass' | undefined;
    let loginUser = '';
    let mail = { from: '', to: [] as string[], data: '' };
    const say = (line: string) => socket.write(`${line}\r\n`);
    say('220 loopback ESMTP');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            mails.push(mail);
            mail = { from: '', to: [], data: '' };
            say('250 2.0.0 queued as loopback');
          } else mail.data += `${line.startsWith('..') ? line.slice(1) : line}\n`;
          continue;
        }
        if (login) {
          const v = Buffer.from(line, 'base64').toString('utf8');
          if (login === 'user') {
            loginUser = v;
            login = 'pass';
            say('334 UGFzc3dvcmQ6');
          } else {
            login = undefined;
            authed = loginUser === o.user && v === o.password;
            say(authed ? '235 2.7.0 Authentication successful' : '535 5.7.8 Authentication credentials invalid');
          }
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO') say('250-loopback\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME');
        else if (cmd === 'HELO') say('250 loopback');
        else if (line.toUpperCase().startsWith('AUTH PLAIN')) {
          const [, user, pass] = Buffer.from(line.split(' ')[2] ?? '', 'base64').toString('utf8').split('\0');
          authed = user === o.user && pass === o.password;
          say(authed ? '235 2.7.0 Authentication successful' : '535 5.7.8 Authentication credentials invalid');
        } else if (line.toUpperCase().startsWith('AUTH LOGIN')) {
          login = 'user';
          say('334 VXNlcm5hbWU6');
        } else if (cmd === 'MAIL') {
          if (!authed) say('530 5.7.0 Authentication required');
          else {
            mail.from = /<(.*)>/.exec(line)?.[1] ?? '';
            say('250 OK');
          }
        } else if (cmd === 'RCPT') {
          mail.to.push(/<(.*)>/.exec(line)?.[1] ?? '');
          say('250 OK');
        } else if (cmd === 'DATA') {
          inData = true;
          say('354 End data with <CR><LF>.<CR><LF>');
        } else if (cmd === 'QUIT') {
          say('221 bye');
          socket.end();
        } else if (cmd === 'RSET' || cmd === 'NOOP') say('250 OK');
        else say('502 5.5.2 command not recognized');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    mails,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface SesReceiver extends Receiver {
  emails: { from: string; to: string[]; subject: string; text: string }[];
}

/**
 * SES API v2 SendEmail (POST /v2/email/outbound-emails, JSON), authenticated with AWS SigV4: the
 * receiver re-signs the request with @smithy/signature-v4 and the credentials it knows, and
 * answers 403 SignatureDoesNotMatch when the signature differs (as SES does).
 */
export async function sesReceiver(o: { accessKeyId: string; secretAccessKey: string; region: string; now: () => number }): Promise<SesReceiver> {
  const [{ SignatureV4 }, { Sha256 }, { HttpRequest }] = await Promise.all([import('@smithy/signature-v4'), import('@aws-crypto/sha256-js'), import('@smithy/protocol-http')]);
  const signer = new SignatureV4({ service: 'ses', region: o.region, credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey }, sha256: Sha256 });
  const emails: SesReceiver['emails'] = [];
  const posts: Received[] = [];
  let requests = 0;
  let throttle = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      requests++;
      const raw = Buffer.concat(chunks).toString('utf8');
      const auth = String(req.headers.authorization ?? '');
      const signed = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
      const headers = Object.fromEntries(signed.map((h) => [h, String(req.headers[h] ?? '')]));
      const u = new URL(req.url ?? '/', 'http://x');
      const amzDate = String(req.headers['x-amz-date'] ?? '');
      const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
      const expected = await signer.sign(new HttpRequest({ method: req.method ?? 'POST', protocol: 'http:', hostname: String(req.headers.host ?? '').split(':')[0], port: Number(String(req.headers.host).split(':')[1]), path: u.pathname, headers, body: raw }), { signingDate });
      const send = (status: number, body: object, type?: string) => {
        res.writeHead(status, { 'content-type': 'application/json', ...(type && { 'x-amzn-errortype': type }) });
        res.end(JSON.stringify(body));
      };
      if (expected.headers.authorization !== auth) return send(403, { message: 'The request signature we calculated does not match the signature you provided.' }, 'SignatureDoesNotMatchException');
      if (throttle > 0) {
        throttle--;
        return send(429, { message: 'Maximum sending rate exceeded.' }, 'TooManyRequestsException');
      }
      if (req.method !== 'POST' || u.pathname !== '/v2/email/outbound-emails') return send(404, { message: 'not found' }, 'NotFoundException');
      const body = JSON.parse(raw) as { FromEmailAddress: string; Destination: { ToAddresses: string[] }; Content: { Simple: { Subject: { Data: string }; Body: { Text: { Data: string } } } } };
      posts.push({ path: u.pathname, query: u.searchParams, headers: req.headers, raw, body: body as never });
      emails.push({ from: body.FromEmailAddress, to: body.Destination.ToAddresses, subject: body.Content.Simple.Subject.Data, text: body.Content.Simple.Body.Text.Data });
      send(200, { MessageId: `0100-loopback-${emails.length}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    emails,
    get requests() {
      return requests;
    },
    throttleNext(n: number) {
      throttle = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
