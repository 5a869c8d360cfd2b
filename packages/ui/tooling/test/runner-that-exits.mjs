// A test runner that starts the stubborn server and then exits without stopping it, as a runner
// killed mid-run would. Prints the server's pid so the test can end it.
import { demoServerPlugin } from '../web-test-runner.mjs';

const plugin = demoServerPlugin(new URL('./stubborn-server.mjs', import.meta.url));
await plugin.serverStart();
process.stdout.write(`${plugin.serve({ path: '/__baton/demo-server.json' })?.body}\n`);
process.exit(0);
