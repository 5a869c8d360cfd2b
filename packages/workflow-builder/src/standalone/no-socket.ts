/**
 * Stands in for socket.io-client in the standalone bundle. The builder only talks REST, but
 * `@baton/client`'s entry also exports `BatonRealtime`, and socket.io-client's modules have side
 * effects, so the bundler keeps all of it (≈ 10 KB gzip) unless it is swapped out here.
 */
export function io(): never {
  throw new Error('<workflow-builder> does not open sockets');
}
