// http_ece ships no types; only what the push tests use.
declare module 'http_ece' {
  import type { ECDH } from 'node:crypto';
  export interface EceParams {
    version?: 'aes128gcm' | 'aesgcm';
    key?: string | Buffer;
    salt?: string | Buffer;
    keyid?: string | Buffer;
    privateKey?: ECDH;
    dh?: string | Buffer;
    authSecret?: string | Buffer;
    rs?: number;
  }
  export function decrypt(buffer: Buffer, params: EceParams): Buffer;
  export function encrypt(buffer: Buffer, params: EceParams): Buffer;
}
