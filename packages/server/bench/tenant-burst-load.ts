// Workspace A's burst for bench/tenant-burst.ts: creates flat out for the given seconds, then exits.
import autocannon from 'autocannon';

const [url, apiKey, body, seconds, connections] = process.argv.slice(2);
await autocannon({
  url: url!,
  connections: Number(connections),
  duration: Number(seconds),
  requests: [{ method: 'POST', path: '/v1/conversations', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: body! }],
});
process.exit(0);
