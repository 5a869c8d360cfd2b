import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** What the sink was sent: the envelope's recipients and the message, parsed. */
export interface ReceivedMail {
  rcptTo: string[];
  mail: ParsedMail;
}

/**
 * Test-only: a real SMTP server (smtp-server) on loopback standing in for a team's mail server,
 * for the tests that check what Baton's notification emails say (this package's and the demo's).
 * It keeps every message it accepts, parsed (mailparser), and can turn the first few away with
 * `rejectCode` (451 "try later" by default; a 5xx is a refusal for good).
 */
export async function startSmtpSink(options: { rejectFirst?: number; rejectCode?: number } = {}) {
  const received: Promise<ReceivedMail>[] = [];
  let toReject = options.rejectFirst ?? 0;
  let rejected = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (toReject > 0) {
          toReject--;
          rejected++;
          const code = options.rejectCode ?? 451;
          const reason = code >= 500 ? 'no such mailbox' : 'mailbox busy, try again later';
          return callback(Object.assign(new Error(reason), { responseCode: code }));
        }
        const rcptTo = session.envelope.rcptTo.map((r) => r.address);
        received.push(simpleParser(Buffer.concat(chunks)).then((mail) => ({ rcptTo, mail })));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    /** Every message accepted so far, parsed. */
    mails: () => Promise.all(received),
    /** How many were turned away. */
    get rejected() {
      return rejected;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
