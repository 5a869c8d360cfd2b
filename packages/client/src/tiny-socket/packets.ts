/**
 * Socket.IO v5 packets as text, for the main namespace only (the one Baton uses). A packet is its
 * type digit, an optional ack id, then JSON: `40{auth}`, `42["event",…]`, `42<id>[…]`, `43<id>[…]`.
 * Binary packets (types 5 and 6) are not supported: Baton's protocol is JSON.
 */

export const CONNECT = 0;
export const DISCONNECT = 1;
export const EVENT = 2;
export const ACK = 3;
export const CONNECT_ERROR = 4;

export interface Packet {
  type: number;
  id?: number;
  data?: unknown;
}

export function encode(type: number, data?: unknown, id?: number): string {
  return `${type}${id ?? ''}${data === undefined ? '' : JSON.stringify(data)}`;
}

/** Throws on anything that is not a well-formed packet; the caller treats that as a `parse error`. */
export function decode(text: string): Packet {
  const match = /^([0-4])(\d*)([\s\S]*)$/.exec(text);
  if (!match) throw new Error(`unknown packet ${text.slice(0, 20)}`);
  const [, type, id, json] = match;
  return {
    type: Number(type),
    ...(id ? { id: Number(id) } : {}),
    ...(json ? { data: JSON.parse(json) as unknown } : {}),
  };
}
