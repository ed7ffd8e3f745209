/**
 * Golden vectors: the event-stream FORMAT cases of web-platform-tests' `eventsource/` directory, with the exact bytes
 * their server resources answer and the data their assertions expect.
 *
 * Sources (web-platform-tests, as vendored in nodejs/node under `test/fixtures/wpt/eventsource/`, commit 698a3911):
 *   format-bom.any.js, format-bom-2.any.js, format-comments.any.js, format-data-before-final-empty-line.any.js,
 *   format-field-data.any.js, format-field-event-empty.any.js, format-field-event.any.js, format-field-id.any.js,
 *   format-field-id-2.any.js, format-field-id-3.window.js, format-field-id-null.window.js, format-field-parsing.any.js,
 *   format-field-retry-bogus.any.js, format-field-retry-empty.any.js, format-field-retry.any.js,
 *   format-field-unknown.any.js, format-leading-space.any.js, format-newlines.any.js, format-null-character.any.js,
 *   format-utf-8.any.js, format-mime-bogus.any.js, format-mime-trailing-semicolon.any.js,
 *   format-mime-valid-bogus.any.js, event-data.any.js;
 * and the server resources they read, which Node does not vendor (web-platform-tests/wpt `eventsource/resources/`):
 *   message.py (body = message + ("" if newline=none else "\n\n") + "\n"), message2.py (one loop iteration),
 *   last-event-id.py (first connection), last-event-id2.py.
 *
 * Derived from web-platform-tests, under its license:
 *
 * The 3-Clause BSD License
 *
 * Copyright © web-platform-tests contributors
 *
 * Redistribution and use in source and binary forms, with or without modification, are permitted provided that the
 * following conditions are met:
 *
 * 1. Redistributions of source code must retain the above copyright notice, this list of conditions and the following
 *    disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice, this list of conditions and the
 *    following disclaimer in the documentation and/or other materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors may be used to endorse or promote
 *    products derived from this software without specific prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES,
 * INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
 * DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
 * SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
 * SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY,
 * WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE
 * USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 */

/** The WPT server resource a test reads, with the query it passes (as the test writes it, percent-encoded). */
export type WptResource =
  | { file: 'message.py'; message?: string; newline?: 'none'; mime?: string }
  | { file: 'message2.py' }
  | { file: 'last-event-id.py'; idvalue?: string }
  | { file: 'last-event-id2.py'; type: 1 | 2 | 3 };

/** The value of one `data` field line of the body: which event it belongs to, and whether the line had a colon. */
export interface DataLine {
  event: number;
  value: string;
  colon: boolean;
}

/** A body is raw text between the values of its `data` lines. */
export type Piece = string | DataLine;

/** An event WPT expects (type and data), in stream order. `dispatched: false`: its blank line never comes. */
export interface WptEvent {
  type: string;
  data: string;
  dispatched?: false;
}

/** One golden vector. */
export interface WptVector {
  /** The WPT test file (under `eventsource/`) and, for files with several tests, which one. */
  source: string;
  resource: WptResource;
  body: Piece[];
  events: WptEvent[];
  /** WPT expects the connection to fail (a MIME type that is not `text/event-stream`): no event at all. */
  fails?: true;
  /** What the WPT test also asserts that is EventSource API behaviour, not parsing (not ported). */
  notPorted?: string;
}

const d = (event: number, value: string): DataLine => ({ event, value, colon: true });
/** A `data` line without a colon: its value is empty. */
const bare = (event: number): DataLine => ({ event, value: '', colon: false });
const message = (data: string): WptEvent => ({ type: 'message', data });

/** format-comments.any.js: `(new Array(2*1024+1)).join("x")`. */
const LONG = new Array(2 * 1024 + 1).join('x');
const LAST_EVENT_ID = 'Last-Event-ID and lastEventId: the kit neither exposes ids nor reconnects';
const RECONNECT_DELAY = 'the reconnection delay set by `retry` (its only assertion): the kit does not reconnect';

/** The id values of format-field-id-null.window.js. */
const NULL_IDS = ['\u0000\u0000', 'x\u0000', '\u0000x', 'x\u0000x', ' \u0000'];

/** The vectors, in WPT's file order. */
export const WPT_VECTORS: WptVector[] = [
  {
    source: 'format-bom.any.js',
    resource: { file: 'message.py', message: '%EF%BB%BFdata%3A1%0A%0A%EF%BB%BFdata%3A2%0A%0Adata%3A3' },
    body: ['\uFEFFdata:', d(0, '1'), '\n\n\uFEFFdata:2\n\ndata:', d(1, '3'), '\n\n\n'],
    events: [message('1'), message('3')],
  },
  {
    source: 'format-bom-2.any.js',
    resource: { file: 'message.py', message: '%EF%BB%BF%EF%BB%BFdata%3A1%0A%0Adata%3A2%0A%0Adata%3A3' },
    body: ['\uFEFF\uFEFFdata:1\n\ndata:', d(0, '2'), '\n\ndata:', d(1, '3'), '\n\n\n'],
    events: [message('2'), message('3')],
  },
  {
    source: 'format-comments.any.js',
    resource: {
      file: 'message.py',
      message: encodeURI('data:1\r:\0\n:\r\ndata:2\n:' + LONG + '\rdata:3\n:data:fail\r:' + LONG + '\ndata:4\n'),
      newline: 'none',
    },
    body: ['data:', d(0, '1'), '\r:\0\n:\r\ndata:', d(0, '2'), `\n:${LONG}\rdata:`, d(0, '3'), `\n:data:fail\r:${LONG}\ndata:`, d(0, '4'), '\n\n'],
    events: [message('1\n2\n3\n4')],
  },
  {
    source: 'format-data-before-final-empty-line.any.js',
    resource: { file: 'message.py', message: encodeURIComponent('retry:1000\ndata:test1\n\nid:test\ndata:test2'), newline: 'none' },
    body: ['retry:1000\ndata:', d(0, 'test1'), '\n\nid:test\ndata:', d(1, 'test2'), '\n'],
    events: [message('test1'), { type: 'message', data: 'test2', dispatched: false }],
    notPorted: `its assertions are on the second connection (${LAST_EVENT_ID})`,
  },
  {
    source: 'format-field-data.any.js',
    resource: { file: 'message.py', message: 'data%3A%0A%0Adata%0Adata%0A%0Adata%3Atest' },
    body: ['data:', d(0, ''), '\n\ndata', bare(1), '\ndata', bare(1), '\n\ndata:', d(2, 'test'), '\n\n\n'],
    events: [message(''), message('\n'), message('test')],
  },
  {
    source: 'format-field-event-empty.any.js',
    resource: { file: 'message.py', message: 'event%3A%20%0Adata%3Adata' },
    body: ['event: \ndata:', d(0, 'data'), '\n\n\n'],
    events: [message('data')],
  },
  {
    source: 'format-field-event.any.js',
    resource: { file: 'message.py', message: 'event%3Atest%0Adata%3Ax%0A%0Adata%3Ax' },
    body: ['event:test\ndata:', d(0, 'x'), '\n\ndata:', d(1, 'x'), '\n\n\n'],
    events: [{ type: 'test', data: 'x' }, message('x')],
  },
  {
    source: 'format-field-id.any.js, format-field-id-2.any.js',
    resource: { file: 'last-event-id.py' },
    body: ['id: …\nretry: 200\ndata: ', d(0, 'hello'), '\n\n'],
    events: [message('hello')],
    notPorted: LAST_EVENT_ID,
  },
  ...([1, 2, 3] as const).map(
    (type): WptVector => ({
      source: `format-field-id-3.window.js (last-event-id2.py?type=${type})`,
      resource: { file: 'last-event-id2.py', type },
      body:
        type === 1
          ? ['id: 1\ndata: ', d(0, '1'), '\n\ndata: ', d(1, '2'), '\n\nid: 2\ndata:', d(2, '3'), '\n\ndata:', d(3, '4'), '\n\n']
          : ['id: 1\ndata: ', d(0, '1'), type === 2 ? '\n\nid:\ndata:' : '\n\nid\ndata:', d(1, '2'), '\n\ndata:', d(2, '3'), '\n\n'],
      events: (type === 1 ? ['1', '2', '3', '4'] : ['1', '2', '3']).map(message),
      notPorted: LAST_EVENT_ID,
    }),
  ),
  ...NULL_IDS.map(
    (idvalue): WptVector => ({
      source: `format-field-id-null.window.js (id field set to ${encodeURIComponent(idvalue)})`,
      resource: { file: 'last-event-id.py', idvalue: encodeURIComponent(idvalue) },
      body: [`id: ${idvalue}\nretry: 200\ndata: `, d(0, 'hello'), '\n\n'],
      events: [message('hello')],
      notPorted: LAST_EVENT_ID,
    }),
  ),
  {
    source: 'format-field-parsing.any.js',
    resource: {
      file: 'message.py',
      message: encodeURI('data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n data:32\ndata:4\n'),
      newline: 'none',
    },
    body: [
      'data:', d(0, '\0'), '\ndata: ', d(0, ' 2'), '\rData:1\ndata\0:2\ndata:', d(0, '1'), '\r\0data:4\nda-ta:3\rdata_5\ndata:',
      d(0, '3'), '\rdata:', d(0, ''), '\r\n data:32\ndata:', d(0, '4'), '\n\n',
    ],
    events: [message('\0\n 2\n1\n3\n\n4')],
  },
  {
    source: 'format-field-retry-bogus.any.js',
    resource: { file: 'message.py', message: 'retry%3A3000%0Aretry%3A1000x%0Adata%3Ax' },
    body: ['retry:3000\nretry:1000x\ndata:', d(0, 'x'), '\n\n\n'],
    events: [message('x')],
    notPorted: RECONNECT_DELAY,
  },
  {
    source: 'format-field-retry-empty.any.js',
    resource: { file: 'message.py', message: 'retry%0Adata%3Atest' },
    body: ['retry\ndata:', d(0, 'test'), '\n\n\n'],
    events: [message('test')],
  },
  {
    source: 'format-field-retry.any.js',
    resource: { file: 'message.py', message: 'retry%3A03000%0Adata%3Ax' },
    body: ['retry:03000\ndata:', d(0, 'x'), '\n\n\n'],
    events: [message('x')],
    notPorted: RECONNECT_DELAY,
  },
  {
    source: 'format-field-unknown.any.js',
    resource: { file: 'message.py', message: 'data%3Atest%0A%20data%0Adata%0Afoobar%3Axxx%0Ajustsometext%0A%3Athisisacommentyay%0Adata%3Atest' },
    body: ['data:', d(0, 'test'), '\n data\ndata', bare(0), '\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:', d(0, 'test'), '\n\n\n'],
    events: [message('test\n\ntest')],
  },
  {
    source: 'format-leading-space.any.js',
    resource: { file: 'message.py', message: 'data%3A%09test%0Ddata%3A%20%0Adata%3Atest' },
    body: ['data:', d(0, '\ttest'), '\rdata: ', d(0, ''), '\ndata:', d(0, 'test'), '\n\n\n'],
    events: [message('\ttest\n\ntest')],
  },
  {
    source: 'format-newlines.any.js',
    resource: { file: 'message.py', message: 'data%3Atest%0D%0Adata%0Adata%3Atest%0D%0A%0D', newline: 'none' },
    body: ['data:', d(0, 'test'), '\r\ndata', bare(0), '\ndata:', d(0, 'test'), '\r\n\r\n'],
    events: [message('test\n\ntest')],
  },
  {
    source: 'format-null-character.any.js',
    resource: { file: 'message.py', message: 'data%3A%00%0A%0A' },
    body: ['data:', d(0, '\0'), '\n\n\n\n\n'],
    events: [message('\0')],
  },
  {
    source: 'format-utf-8.any.js',
    resource: { file: 'message.py', mime: 'text/event-stream%3bcharset=windows-1252', message: 'data%3Aok%E2%80%A6' },
    body: ['data:', d(0, 'ok…'), '\n\n\n'],
    events: [message('ok…')],
  },
  {
    source: 'format-mime-bogus.any.js',
    resource: { file: 'message.py', mime: 'x%20bogus' },
    body: ['data: ', d(0, 'data'), '\n\n\n'],
    events: [message('data')],
    fails: true,
    notPorted: 'the error event is a plain Event and readyState is CLOSED: the kit fails the turn with bad_response instead',
  },
  {
    source: 'format-mime-trailing-semicolon.any.js',
    resource: { file: 'message.py', mime: 'text/event-stream%3B' },
    body: ['data: ', d(0, 'data'), '\n\n\n'],
    events: [message('data')],
    notPorted: 'readyState is OPEN in onopen: the kit has no open event, so the message it reads stands for it',
  },
  {
    source: 'format-mime-valid-bogus.any.js',
    resource: { file: 'message.py', mime: 'text/x-bogus' },
    body: ['data: ', d(0, 'data'), '\n\n\n'],
    events: [message('data')],
    fails: true,
    notPorted: 'the error event is a plain Event and readyState is CLOSED: the kit fails the turn with bad_response instead',
  },
  {
    source: 'event-data.any.js',
    resource: { file: 'message2.py' },
    body: [
      'data:', d(0, 'msg'), '\ndata: ', d(0, 'msg'),
      '\n\n:\nfalsefield:msg\n\nfalsefield:msg\nData:data\n\ndata', bare(1), '\n\ndata:', d(2, 'end'), '\n\n',
    ],
    events: [message('msg\nmsg'), message(''), message('end')],
    notPorted: 'message2.py repeats its body every 2 s on the open connection; one repetition is ported',
  },
];

/** The body a WPT resource answers, computed as its Python handler does, so the vectors can be checked against it. */
export function wptBody(resource: WptResource): string {
  switch (resource.file) {
    case 'message.py':
      return decodeURIComponent(resource.message ?? 'data: data') + (resource.newline === 'none' ? '' : '\n\n') + '\n';
    case 'message2.py':
      return 'data:msg\ndata: msg\n\n:\nfalsefield:msg\n\nfalsefield:msg\nData:data\n\ndata\n\ndata:end\n\n';
    case 'last-event-id.py':
      return `id: ${decodeURIComponent(resource.idvalue ?? '%E2%80%A6')}\nretry: 200\ndata: hello\n\n`;
    case 'last-event-id2.py':
      return [
        'id: 1\ndata: 1\n\ndata: 2\n\nid: 2\ndata:3\n\ndata:4\n\n',
        'id: 1\ndata: 1\n\nid:\ndata:2\n\ndata:3\n\n',
        'id: 1\ndata: 1\n\nid\ndata:2\n\ndata:3\n\n',
      ][resource.type - 1] as string;
  }
}

/** The `Content-Type` a WPT resource answers with. */
export function wptContentType(resource: WptResource): string {
  return resource.file === 'message.py' && resource.mime !== undefined ? decodeURIComponent(resource.mime) : 'text/event-stream';
}
