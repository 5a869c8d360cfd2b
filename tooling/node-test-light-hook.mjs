// Preloaded into every `node --test` run (`--import`): gives Node's test runner a lighter async hook.
//
// Why: the runner (node:test) installs an async hook that maps every async resource a test creates,
// promises included, to that test, and forgets it in a `destroy` callback. A `destroy` callback
// makes V8 report each promise's collection to JavaScript, which Node measures at about a tenth of
// the promise rate without it. Our server suites run a whole server inside each test process, so
// every request pays it: write-fuzz took 41.5 s with it and 20.7 s without, and CI's server passes
// 4–6% less (docs/decisions.md, "Session 25"; PostgreSQL's own work is untouched).
//
// What the runner needs the map for: `describe`/`it`/`before`/`after` find the suite they are
// called in by looking up the running async resource, which is the suite itself (its callback runs
// synchronously in the suite's scope). So the hook given to the runner here records the runner's
// own resources (type 'Test', suites included) and nothing else, and has no `destroy`.
//
// What is lost: an error thrown later from a timer or a socket, or a rejection nobody handles, is
// no longer pinned on the test that started the work. The file still fails (the runner reports it
// as "asynchronous activity after the test ended"), and the error's stack is printed below, since
// the runner's message carries only the error's text.
import { createRequire } from 'node:module';

const asyncHooks = createRequire(import.meta.url)('node:async_hooks');
const createHook = asyncHooks.createHook;
let lightened = false;
let sawTest = false;

asyncHooks.createHook = function createHookForTheTestRunnerLightly(callbacks) {
  if (!/node:internal\/test_runner\//.test(new Error().stack ?? '')) return createHook.call(this, callbacks);
  if (!lightened) printUncaughtStacks();
  lightened = true;
  return createHook.call(this, {
    init(asyncId, type, triggerAsyncId, resource) {
      if (type !== 'Test') return;
      sawTest = true;
      callbacks.init(asyncId, type, triggerAsyncId, resource);
    },
  });
};

/**
 * Only beside the runner's own handlers: a listener keeps a process alive through an uncaught
 * exception, which is right in a test file and wrong in a process a test forks (it gets this
 * preload too, through `execArgv`).
 */
function printUncaughtStacks() {
  for (const event of ['uncaughtException', 'unhandledRejection']) {
    process.on(event, (error) => console.error(`[node-test-light-hook] ${event} (the runner names the error, not its test):`, error));
  }
}

// Every process the runner starts creates tests. If none was seen, the runner no longer types its
// resources 'Test', `it` inside `describe` would silently land at the top level: fail instead.
process.on('exit', () => {
  if (!lightened || sawTest) return;
  console.error('[node-test-light-hook] the test runner created no resource of type "Test": this Node changed its internals; remove the preload');
  process.exitCode = 1;
});
