// A test server that will not stop: it ignores SIGTERM and the end of its stdin. Like the real
// ones it prints one JSON line when ready (here its pid, so the test can see whether it still runs).
process.on('SIGTERM', () => {});
process.stdin.resume();
setInterval(() => {}, 60_000);
process.stdout.write(`${JSON.stringify({ pid: process.pid })}\n`);
