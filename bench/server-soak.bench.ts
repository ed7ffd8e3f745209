import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, expect, it } from 'vitest';
import { createChatHandlers } from 'colloquy/server';
import { drained } from '../test/helpers/node-loopback.js';
import { collectGarbage, record } from './support/results.js';

const SECTION = '#11.10 Soak';
const MB = 1_000_000;
const KiB = 1024;
const SEQUENTIAL = 10_000;
const ABORTED = 2_000;
const CONCURRENT = 1_000;

/**
 * The other side of the loopback, in its own process so the server's heap and handles are the server's alone: an
 * emulated OpenAI (`short`: five deltas and the end; `slow`: one delta, then silence until the connection closes)
 * and the clients, driven over IPC.
 */
const PEER = String.raw`
import { Agent, createServer, request } from 'node:http';
const chunk = (choices, usage) => 'data: ' + JSON.stringify({ id: 'chatcmpl-soak', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini', choices, ...(usage ? { usage } : {}) }) + '\n\n';
const delta = (content) => chunk([{ index: 0, delta: { content }, finish_reason: null }]);
const SHORT = ['Hello', ' from', ' the', ' emulated', ' model.'].map(delta).join('') + chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]) +
  chunk([], { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 }) + 'data: [DONE]\n\n';
const upstream = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (text) => (body += text));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    if (body.includes('slow')) res.write(delta('Thinking'));
    else res.end(SHORT);
  });
});
// Idle keep-alive connections close within a second, so the handle count settles quickly after each phase.
upstream.keepAliveTimeout = 1000;
upstream.listen(0, '127.0.0.1', () => process.send({ ready: upstream.address().port }));

let target;
const open = [];
const agent = new Agent({ keepAlive: true });
function post(text, ip) {
  const body = JSON.stringify({ message: text });
  const req = request({ ...target, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-forwarded-for': ip } });
  req.on('error', () => {});
  req.end(body);
  return new Promise((resolve) => req.on('response', (res) => resolve({ req, res })));
}
/** Reads until the first content frame (true), or the end. */
function untilContent(res) {
  return new Promise((resolve) => {
    let seen = '';
    res.setEncoding('utf8');
    const onData = (text) => {
      seen += text;
      if (seen.includes('"content"')) { res.off('data', onData); resolve(true); }
    };
    res.on('data', onData);
    res.on('end', () => resolve(seen.includes('"content"')));
    res.on('error', () => resolve(false));
  });
}
function whole(res) {
  return new Promise((resolve) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => (text += chunk));
    res.on('end', () => resolve(text));
    res.on('error', () => resolve(''));
  });
}
const commands = {
  async sequential({ count }) {
    let ok = 0;
    for (let index = 0; index < count; index += 1) {
      const { res } = await post('short', '10.1.0.1');
      if (res.statusCode === 200 && (await whole(res)).endsWith('data: [DONE]\n\n')) ok += 1;
    }
    return { ok };
  },
  async aborted({ count }) {
    let ok = 0;
    for (let index = 0; index < count; index += 1) {
      const { req, res } = await post('slow', '10.2.0.1');
      if (res.statusCode === 200 && (await untilContent(res))) ok += 1;
      req.destroy();
    }
    return { ok };
  },
  async open({ count }) {
    const opened = await Promise.all(Array.from({ length: count }, async (_, index) => {
      // Each slow stream is its own client: the concurrency cap is per client key.
      const { req, res } = await post('slow', '10.3.' + (index >> 8) + '.' + (index & 255));
      open.push(req);
      return res.statusCode === 200 && (await untilContent(res));
    }));
    return { ok: opened.filter(Boolean).length };
  },
  async close() {
    for (const req of open.splice(0)) req.destroy();
    return { ok: 0 };
  },
};
process.on('message', async ({ id, command, ...args }) => {
  if (command === 'target') { target = { host: '127.0.0.1', port: args.port, path: '/api/chat/stream' }; return process.send({ id, ok: 0 }); }
  process.send({ id, ...(await commands[command](args)) });
});
`;

function startPeer(): Promise<{ port: number; ask: (command: string, args?: object) => Promise<{ ok: number }>; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', PEER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 0;
  const pending = new Map<number, (reply: { ok: number }) => void>();
  return new Promise((resolve) => {
    child.on('message', (message: { ready?: number; id?: number; ok?: number }) => {
      if (message.ready !== undefined) {
        resolve({
          port: message.ready,
          child,
          ask: (command, args = {}) =>
            new Promise((done) => {
              next += 1;
              pending.set(next, done);
              child.send({ id: next, command, ...args });
            }),
        });
      } else if (message.id !== undefined) {
        pending.get(message.id)?.({ ok: message.ok ?? 0 });
        pending.delete(message.id);
      }
    });
  });
}

/**
 * A lean node:http adapter, as production adapters are (Hono's node-server writes a body this way): the small JSON
 * body is read whole, and the answer is written chunk by chunk, waiting for 'drain', so backpressure reaches the
 * handler; the socket closing aborts the Request. demo/node-http.ts (stream-to-stream pipes) holds ~10 KiB more per
 * open stream, all of it Node's stream machinery.
 */
function nodeHandler(handler: (request: Request) => Promise<Response>): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const connection = new AbortController();
        res.once('close', () => {
          if (!res.writableFinished) connection.abort();
        });
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
        const response = await handler(
          new Request(`http://127.0.0.1${req.url ?? '/'}`, { method: req.method ?? 'POST', headers, body: Buffer.concat(chunks), signal: connection.signal }),
        );
        res.writeHead(response.status, Object.fromEntries(response.headers));
        if (response.body === null) return void res.end();
        const reader = response.body.getReader();
        res.once('close', () => void reader.cancel().catch(() => undefined));
        try {
          for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
            if (!res.write(chunk.value)) await drained(res);
          }
          res.end();
        } catch {
          res.destroy();
        }
      })();
    });
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Active handles and requests by type (`TCPSocketWrap`, `Timeout`…): what keeps the process alive. */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

/** Waits (at most `ms`) until no more resources are active than in `baseline`: idle keep-alive sockets close after ~1 s. */
async function settle(baseline: Record<string, number>, ms = 10_000): Promise<Record<string, number>> {
  const until = performance.now() + ms;
  let now = resources();
  while (total(now) > total(baseline) && performance.now() < until) {
    await sleep(250);
    now = resources();
  }
  return now;
}

function retained(): number {
  collectGarbage();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

let server: Server | undefined;
let peer: Awaited<ReturnType<typeof startPeer>> | undefined;

afterAll(() => {
  server?.closeAllConnections();
  server?.close();
  peer?.child.kill();
});

it('returns to its baseline heap and handles after 12,000 streams, and holds little per open stream', async () => {
  peer = await startPeer();
  const { stream } = createChatHandlers({
    openai: new OpenAI({ apiKey: 'sk-soak', baseURL: `http://127.0.0.1:${peer.port}/v1`, maxRetries: 0 }),
    model: 'gpt-4o-mini',
  });
  server = createServer(nodeHandler(stream));
  server.keepAliveTimeout = 1000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { ask } = peer;
  await ask('target', { port: (server.address() as AddressInfo).port });
  const idle = resources();

  // Warm-up: compiled code, the SDK's lazily built parts and pools are not a leak.
  expect((await ask('sequential', { count: 300 })).ok).toBe(300);
  expect((await ask('aborted', { count: 100 })).ok).toBe(100);
  const handlesBefore = await settle(idle);
  const heapBefore = retained();

  const started = performance.now();
  const sequential = await ask('sequential', { count: SEQUENTIAL });
  const sequentialSeconds = (performance.now() - started) / 1000;
  const aborted = await ask('aborted', { count: ABORTED });
  expect(sequential.ok).toBe(SEQUENTIAL);
  expect(aborted.ok).toBe(ABORTED);
  const handlesAfter = await settle(handlesBefore);
  const heapGrowth = (retained() - heapBefore) / MB;

  record({
    section: SECTION,
    name: `retained heap after ${SEQUENTIAL.toLocaleString('en-US')} sequential + ${ABORTED.toLocaleString('en-US')} mid-stream-aborted streams`,
    value: heapGrowth,
    unit: 'MB',
    target: '<= +5 MB',
    ok: heapGrowth <= 5,
    note: `heap + off-heap after GC over the warmed-up baseline; loopback, stream handler behind node:http; ${(SEQUENTIAL / sequentialSeconds).toFixed(0)} sequential streams/s`,
  });
  const describe = (counts: Record<string, number>): string =>
    Object.entries(counts)
      .sort()
      .map(([type, count]) => `${type} ${count}`)
      .join(', ');
  const sameHandles = total(handlesAfter) <= total(handlesBefore);
  record({
    section: SECTION,
    name: 'active handles after the soak, over the baseline',
    value: total(handlesAfter) - total(handlesBefore),
    unit: 'handles',
    target: 'back to baseline',
    ok: sameHandles,
    note: `process.getActiveResourcesInfo(): before ${describe(handlesBefore)}; after ${describe(handlesAfter)}`,
  });

  const heapIdle = retained();
  const opened = await ask('open', { count: CONCURRENT });
  expect(opened.ok).toBe(CONCURRENT);
  const perStream = (retained() - heapIdle) / CONCURRENT / KiB;
  await ask('close');
  const handlesClosed = await settle(handlesBefore);
  record({
    section: SECTION,
    name: `held per open stream, ${CONCURRENT.toLocaleString('en-US')} concurrent slow streams`,
    value: perStream,
    unit: 'KiB',
    target: '<= 64 KiB',
    ok: perStream <= 64,
    note: `heap + off-heap after GC, server process only (incoming socket, lean node:http adapter, Request, handler, upstream body reader, upstream socket); handles back to baseline after closing: ${total(handlesClosed) <= total(handlesBefore) ? 'yes' : 'no'}`,
  });
  console.info(`soak: heap ${heapGrowth.toFixed(2)} MB, handles ${describe(handlesBefore)} -> ${describe(handlesAfter)}, ${perStream.toFixed(1)} KiB per open stream`);
});
