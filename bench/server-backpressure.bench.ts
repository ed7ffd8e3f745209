import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, expect, it } from 'vitest';
import { createChatHandlers } from 'colloquy/server';
import { sendWebResponse, toWebRequest } from '../demo/node-http.js';
import { collectGarbage, record } from './support/results.js';

const SECTION = '#11.9 Backpressure';
const MiB = 1024 * 1024;
const UPSTREAM_BYTES = 50_000_000;
/** Shorter than the 30 s default so the bench stays under a minute; the abort it triggers is what is checked. */
const WRITE_IDLE_MS = 10_000;

/**
 * The other side of the loopback, in its own process so the server's heap holds only the server: an emulated OpenAI
 * that streams 50 MB per request as fast as its socket takes it (counting the bytes it wrote), and clients that send
 * a request and never read a byte of the answer.
 */
const PEER = String.raw`
import { createServer } from 'node:http';
import { connect } from 'node:net';
const TOTAL = Number(process.argv[1]);
const content = 'x'.repeat(16 * 1024);
const chunk = (choices) => 'data: ' + JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 0, model: 'gpt-4o-mini', choices }) + '\n\n';
const frame = Buffer.from(chunk([{ index: 0, delta: { content }, finish_reason: null }]));
const ending = chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]) + 'data: [DONE]\n\n';
const stats = { requests: 0, written: 0, aborted: 0, finished: 0 };
const upstream = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    stats.requests += 1;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let sent = 0;
    res.on('close', () => { if (res.writableFinished) stats.finished += 1; else stats.aborted += 1; });
    const pump = () => {
      while (sent < TOTAL) {
        sent += frame.length;
        stats.written += frame.length;
        if (!res.write(frame)) return void res.once('drain', pump);
      }
      res.end(ending);
    };
    pump();
  });
});
upstream.listen(0, '127.0.0.1', () => process.send({ ready: upstream.address().port }));
const sockets = [];
process.on('message', ({ id, command, port, count }) => {
  if (command === 'stall') {
    for (let index = 0; index < count; index += 1) {
      const socket = connect(port, '127.0.0.1');
      const body = JSON.stringify({ messages: [{ role: 'user', content: 'Tell me everything.' }] });
      // Each stalled client is its own client key: the concurrency cap is per client.
      socket.write('POST /api/chat/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Forwarded-For: 10.0.0.' + index +
        '\r\nContent-Length: ' + Buffer.byteLength(body) + '\r\n\r\n' + body);
      socket.on('error', () => {});
      socket.pause();
      sockets.push(socket);
    }
  }
  if (command === 'release') for (const socket of sockets.splice(0)) socket.destroy();
  process.send({ id, stats });
});
`;

interface PeerStats {
  requests: number;
  written: number;
  aborted: number;
  finished: number;
}

function startPeer(): Promise<{ port: number; ask: (command: string, extra?: object) => Promise<PeerStats>; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', PEER, String(UPSTREAM_BYTES)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 0;
  const pending = new Map<number, (stats: PeerStats) => void>();
  return new Promise((resolve) => {
    child.on('message', (message: { ready?: number; id?: number; stats?: PeerStats }) => {
      if (message.ready !== undefined) {
        resolve({
          port: message.ready,
          child,
          ask: (command, extra = {}) =>
            new Promise((done) => {
              next += 1;
              pending.set(next, done);
              child.send({ id: next, command, ...extra });
            }),
        });
      } else if (message.id !== undefined && message.stats !== undefined) {
        pending.get(message.id)?.(message.stats);
        pending.delete(message.id);
      }
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `value` every 250 ms until it holds still for a second (or 20 s pass): the stalled pipeline is full. */
async function steady(value: () => Promise<number>): Promise<number> {
  let last = await value();
  for (let still = 0, polls = 0; still < 4 && polls < 80; polls += 1) {
    await sleep(250);
    const now = await value();
    still = now === last ? still + 1 : 0;
    last = now;
  }
  return last;
}

/** Heap plus off-heap memory (the queued frames are ArrayBuffers), after a full collection. */
function retained(): { total: number; buffers: number } {
  collectGarbage();
  const { heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { total: heapUsed + external, buffers: arrayBuffers };
}

let server: Server | undefined;
let peer: Awaited<ReturnType<typeof startPeer>> | undefined;

afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  peer?.child.kill();
});

it('holds a bounded answer per stalled client against a 50 MB upstream, and aborts the upstream when it stays stalled', async () => {
  peer = await startPeer();
  const { stream } = createChatHandlers({
    openai: new OpenAI({ apiKey: 'sk-bench', baseURL: `http://127.0.0.1:${peer.port}/v1`, maxRetries: 0 }),
    model: 'gpt-4o-mini',
    writeIdleTimeoutMs: WRITE_IDLE_MS,
  });
  server = createServer((req, res) => {
    void (async () => {
      const response = await stream(toWebRequest(req, res, new URL(req.url ?? '/', 'http://127.0.0.1')));
      await sendWebResponse(response, res);
    })();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const { ask } = peer;

  // Warm-up: the first answer loads and compiles the SDK's and fetch's code, which no baseline should count.
  const cold = await ask('stall', { port, count: 1 });
  await steady(async () => (await ask('stats')).written);
  await ask('release');
  for (let stats = await ask('stats'); stats.aborted === cold.aborted; stats = await ask('stats')) await sleep(50);

  for (const clients of [1, 25]) {
    const baseline = retained();
    const before = await ask('stats');
    const started = performance.now();
    await ask('stall', { port, count: clients });
    const written = (await steady(async () => (await ask('stats')).written)) - before.written;
    const stalled = retained();
    const held = stalled.total - baseline.total;
    const queued = stalled.buffers - baseline.buffers;
    const stalledStats = await ask('stats');
    expect(stalledStats.requests - before.requests).toBe(clients);
    // Measured while every answer was still paused, not after the timeout freed it.
    expect(stalledStats.aborted - before.aborted).toBe(0);

    // Then the write-idle timeout ends every stalled answer and aborts its upstream request.
    let after = stalledStats;
    while (after.aborted - before.aborted < clients && performance.now() - started < WRITE_IDLE_MS + 30_000) {
      await sleep(100);
      after = await ask('stats');
    }
    const abortedAfterMs = performance.now() - started;
    await ask('release');
    const aborted = after.aborted - before.aborted;
    expect(aborted).toBe(clients);
    expect(after.finished - before.finished).toBe(0);

    const label = clients === 1 ? '1 stalled client' : `${clients} stalled clients at once`;
    const perStream = held / clients / MiB;
    record({
      section: SECTION,
      name: `${label}: server-held per stream`,
      value: perStream,
      unit: 'MiB',
      target: '<= 16 MiB per stream',
      ok: perStream <= 16,
      note: `retained heap + off-heap after GC while stalled, over the baseline: ${(queued / clients / MiB).toFixed(2)} MiB ArrayBuffers (the queue, bound maxBufferedBytes = 1 MiB by default), the rest mostly the text forwarded so far (kept for onFinish and the stored answer)`,
    });
    if (clients > 1) {
      record({
        section: SECTION,
        name: `${label}: server-held in total`,
        value: held / MiB,
        unit: 'MiB',
        target: `<= ${clients} x 16 MiB`,
        ok: held / MiB <= clients * 16,
      });
    }
    record({
      section: SECTION,
      name: `${label}: upstream bytes written while stalled, per stream`,
      value: written / clients / MiB,
      unit: 'MiB',
      note: `of ${UPSTREAM_BYTES / 1e6} MB offered; includes loopback socket buffers between upstream and server`,
    });
    record({
      section: SECTION,
      name: `${label}: upstream requests aborted by the write-idle timeout`,
      value: aborted,
      unit: `of ${clients}`,
      note: `writeIdleTimeoutMs ${WRITE_IDLE_MS.toLocaleString('en-US')} (bench setting; default 30,000); all aborted ${(abortedAfterMs / 1000).toFixed(1)} s after the requests`,
    });
    console.info(
      `${label}: held ${(held / MiB).toFixed(2)} MiB (${perStream.toFixed(2)} MiB/stream), upstream wrote ${(written / clients / MiB).toFixed(2)} MiB/stream, ${aborted}/${clients} aborted after ${(abortedAfterMs / 1000).toFixed(1)} s`,
    );
  }
});
