// A minimal Chrome DevTools Protocol client over `--remote-debugging-pipe`: Chromium reads
// NUL-terminated JSON commands on fd 3 and writes replies and events on fd 4. Enough to load a
// page, evaluate an expression and take a screenshot without puppeteer.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

type Message = { id?: number; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { message: string }; sessionId?: string };

export interface Browser {
  send(method: string, params?: Record<string, unknown>, sessionId?: string): Promise<Record<string, unknown>>;
  /** Resolves with the params of the next event named `method`. */
  waitFor(method: string, timeoutMs: number): Promise<Record<string, unknown>>;
  /** Every event seen so far, in order. */
  events: Message[];
  close(): Promise<void>;
}

export function launchChromium(executable: string): Browser {
  const profile = mkdtempSync(path.join(tmpdir(), 'tierc-chromium-'));
  const child: ChildProcess = spawn(
    executable,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      '--remote-debugging-pipe',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
  );
  const input = child.stdio[3] as Writable;
  const output = child.stdio[4] as Readable;
  const pending = new Map<number, { resolve: (value: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  const waiters: { method: string; resolve: (value: Record<string, unknown>) => void }[] = [];
  const events: Message[] = [];
  let buffer = '';
  let nextId = 1;

  output.setEncoding('utf8');
  output.on('data', (chunk: string) => {
    buffer += chunk;
    let end = buffer.indexOf('\0');
    while (end >= 0) {
      const message = JSON.parse(buffer.slice(0, end)) as Message;
      buffer = buffer.slice(end + 1);
      end = buffer.indexOf('\0');
      if (message.id !== undefined) {
        const entry = pending.get(message.id);
        pending.delete(message.id);
        if (message.error !== undefined) entry?.reject(new Error(message.error.message));
        else entry?.resolve(message.result ?? {});
        continue;
      }
      events.push(message);
      const index = waiters.findIndex((waiter) => waiter.method === message.method);
      if (index >= 0) waiters.splice(index, 1)[0]?.resolve(message.params ?? {});
    }
  });

  return {
    events,
    send(method, params = {}, sessionId) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        input.write(`${JSON.stringify({ id, method, params, ...(sessionId === undefined ? {} : { sessionId }) })}\0`);
      });
    },
    waitFor(method, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${method}.`)), timeoutMs);
        waiters.push({
          method,
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value);
          },
        });
      });
    },
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      input.write(`${JSON.stringify({ id: nextId++, method: 'Browser.close', params: {} })}\0`);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
