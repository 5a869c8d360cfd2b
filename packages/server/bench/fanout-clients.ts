/**
 * The agents of the fan-out benchmark: many socket.io-client sockets in one child process, so their
 * CPU time is not the server's. Each socket notes when a `conversation:created` arrives and which
 * one it was (the benchmark puts its index in the subject, `f<index>`); the parent collects the
 * notes per phase.
 *
 * Messages (from fanout.ts): `connect { url, sockets: [{ auth }], concurrency }` → `connected { ms, failed }`;
 * `count` → `count { received }`; `collect` → `collected { agent, index, at }` (parallel arrays,
 * reset after); `stop` → `stopped`, then exit. Times are `performance.timeOrigin + performance.now()`,
 * which is comparable across processes on one machine.
 */
import { io, type Socket } from 'socket.io-client';

export type ToFanoutClients =
  | { type: 'connect'; url: string; sockets: { auth: Record<string, unknown> }[]; concurrency: number }
  | { type: 'count' }
  | { type: 'collect' }
  | { type: 'stop' };
export type FromFanoutClients =
  | { type: 'connected'; ms: number; failed: string[] }
  | { type: 'count'; received: number }
  | { type: 'collected'; agent: number[]; index: number[]; at: number[] }
  | { type: 'stopped' };

const now = () => performance.timeOrigin + performance.now();
const sockets: Socket[] = [];
let agent: number[] = [];
let index: number[] = [];
let at: number[] = [];
const send = (message: FromFanoutClients) => process.send!(message);

function open(url: string, auth: Record<string, unknown>, n: number): Promise<void> {
  const socket = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 60_000 });
  sockets.push(socket);
  socket.on('conversation:created', (e: { conversation: { subject: string | null } }) => {
    const t = now();
    const subject = e.conversation.subject ?? '';
    if (subject[0] !== 'f') return;
    agent.push(n);
    index.push(Number(subject.slice(1)));
    at.push(t);
  });
  return new Promise((resolve, reject) => {
    socket.once('ready', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
}

process.on('message', async (message: ToFanoutClients) => {
  switch (message.type) {
    case 'connect': {
      const started = performance.now();
      const failed: string[] = [];
      let next = 0;
      const worker = async () => {
        while (next < message.sockets.length) {
          const n = next++;
          await open(message.url, message.sockets[n]!.auth, n).catch((error: Error) => failed.push(`#${n}: ${error.message}`));
        }
      };
      await Promise.all(Array.from({ length: message.concurrency }, worker));
      send({ type: 'connected', ms: performance.now() - started, failed });
      break;
    }
    case 'count':
      send({ type: 'count', received: agent.length });
      break;
    case 'collect':
      send({ type: 'collected', agent, index, at });
      agent = [];
      index = [];
      at = [];
      break;
    case 'stop':
      for (const s of sockets) s.disconnect();
      send({ type: 'stopped' });
      process.disconnect();
      break;
  }
});
