// Module resolution hook (see register.mjs). Registered after tsx, so it runs first and hands the
// TypeScript file to tsx's loader.
const tiny = new URL('../../src/tiny-socket/tiny-socket.ts', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (specifier === 'socket.io-client') return next(tiny, context);
  return next(specifier, context);
}
