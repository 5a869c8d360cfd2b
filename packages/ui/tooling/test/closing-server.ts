// A test server on the real lifecycle (serveUntilRunnerStops) whose close resolves at once, or
// never when CLOSE=never, with a short close wait so the test need not wait 10 s.
import { serveUntilRunnerStops } from '../demo-server.js';

const close = () => (process.env.CLOSE === 'never' ? new Promise<never>(() => {}) : Promise.resolve());
serveUntilRunnerStops({ close }, { pid: process.pid }, { closeWaitMs: 300 });
