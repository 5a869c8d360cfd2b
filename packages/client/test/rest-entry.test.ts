import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'vite';

/**
 * `@baton/client/rest` is for hosts that only talk REST, and its one promise is that bundling it
 * does not bring the socket: no socket.io-client (nor engine.io-client, socket.io-parser), no
 * `realtime.ts`, no tiny Socket.IO client. Checked on the module graph a real bundle of it loads
 * (Vite, as the elements build), not on its exports: one import of the socket anywhere down the
 * graph is enough to put socket.io-client's side-effectful modules in a host's bundle.
 */

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const { exports } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { exports: Record<string, string> };

/** Every module a browser production bundle of the package's `subpath` export loads, as absolute paths. */
async function moduleGraph(subpath: '.' | './rest'): Promise<string[]> {
  const entry = exports[subpath];
  assert.ok(entry, `package.json exports ${subpath}`);
  const loaded: string[] = [];
  // First in line for every module (enforce: 'pre'), and it loads nothing itself: Vite goes on as usual.
  const recorder: Plugin = { name: 'record-module-graph', enforce: 'pre', load: (id) => void loaded.push(id) };
  await build({
    configFile: false,
    root: packageDir,
    logLevel: 'silent',
    plugins: [recorder],
    // The conditions the elements' builds resolve with (packages/ui/tooling/element-build.ts).
    resolve: { conditions: ['browser', 'production', 'module', 'import', 'default'] },
    build: { write: false, minify: false, lib: { entry: resolve(packageDir, entry), formats: ['es'] } },
  });
  return loaded;
}

const SOCKET = [/\/node_modules\/(socket\.io-client|engine\.io-client|socket\.io-parser)\//, /\/client\/src\/realtime\.ts$/, /\/client\/src\/tiny-socket\//];
const socketModules = (graph: string[]) => graph.filter((id) => SOCKET.some((pattern) => pattern.test(id)));

test('@baton/client/rest bundles the REST client without socket.io-client or the realtime code', async () => {
  const graph = await moduleGraph('./rest');
  assert.ok(graph.some((id) => id.endsWith('/client/src/rest.ts')), `the REST client is in the graph: ${graph.join(', ')}`);
  assert.deepEqual(socketModules(graph), [], 'nothing of the socket is reached from the REST entry');
});

test('@baton/client (the whole SDK) does reach socket.io-client, so the check above can see it', async () => {
  const found = socketModules(await moduleGraph('.'));
  assert.ok(found.some((id) => id.includes('/node_modules/socket.io-client/')), `socket.io-client in: ${found.join(', ')}`);
  assert.ok(found.some((id) => id.endsWith('/client/src/realtime.ts')));
});
