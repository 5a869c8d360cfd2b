import nodemailer, { type Transporter } from 'nodemailer';
import type { Deps } from '../deps.js';
import { exponentialBackoff, type Job, type JobHandler } from '../jobs/queue.js';
import { composeNotification, type NotificationContent, type NotificationJobPayload } from './content.js';
import { stillDue } from './still-due.js';

export const EMAIL_JOB = 'email';
export const EMAIL_DISABLED = 'email is disabled: SMTP_URL is not set';
/** Every email goes through the one SMTP server, so it is one destination (per workspace, for the breaker). */
export const EMAIL_DESTINATION = 'smtp';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

export function renderEmail(content: NotificationContent): { subject: string; text: string; html: string } {
  const subject = content.about ? `${content.title}: ${content.about}` : content.title;
  const where = content.channel ? `Conversation ${content.conversationId} (${content.channel})` : `Conversation ${content.conversationId}`;
  const text = [
    content.sentence,
    '',
    where,
    ...(content.link ? [`Open it: ${content.link}`] : []),
    ...(content.snippet ? ['', `“${content.snippet}”`] : []),
    '',
    '—',
    'You get this email because of your Baton notification preferences.',
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5">',
    `<p>${escapeHtml(content.sentence)}</p>`,
    `<p>${escapeHtml(where)}</p>`,
    ...(content.link ? [`<p><a href="${escapeHtml(content.link)}">Open the conversation</a></p>`] : []),
    ...(content.snippet ? [`<blockquote style="margin:0;padding-left:12px;border-left:3px solid #ccc">${escapeHtml(content.snippet)}</blockquote>`] : []),
    '<p style="color:#666;font-size:12px">You get this email because of your Baton notification preferences.</p>',
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}

/**
 * Headers every notification email carries. `Auto-Submitted` (RFC 3834) and Exchange's
 * `X-Auto-Response-Suppress` keep out-of-office and other robots from answering a notification.
 * `References` names the conversation as a message id of its own, so a mail client that threads
 * by references keeps one conversation's emails together and apart from others'.
 */
export function mailHeaders(workspaceId: string, conversationId: string) {
  const thread = `<${conversationId}.${workspaceId}@conversations.baton>`;
  return { references: [thread], headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' } };
}

/**
 * Sends one notification email over SMTP (nodemailer, `SMTP_URL`). Failures are retried with
 * exponential backoff; without `SMTP_URL` the notifier records email jobs as skipped instead.
 * nodemailer takes no abort signal, so its own timeouts are set to the attempt's: a server that
 * stops answering cannot keep a connection open past the attempt the runner already gave up on.
 */
export function emailHandler(deps: Deps): JobHandler {
  let transport: Transporter | null = null;
  const timeoutMs = deps.config.deliveryTimeoutMs.email;
  return {
    timeoutMs,
    async run(job: Job) {
      const smtpUrl = deps.config.smtpUrl;
      if (!smtpUrl) return { ok: false, permanent: true, error: EMAIL_DISABLED };
      const payload = job.payload as NotificationJobPayload;
      const due = await stillDue(deps, job.workspaceId, payload);
      if ('stale' in due) return { ok: false, skipped: true, error: due.stale };
      const { agent } = due;
      if (!agent.email) return { ok: false, permanent: true, error: 'the agent has no email address' };
      const mail = renderEmail(await composeNotification(deps, job.workspaceId, payload));
      transport ??= nodemailer.createTransport({ url: smtpUrl, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs });
      try {
        await transport.sendMail({ from: deps.config.mailFrom, to: agent.email, ...mail, ...mailHeaders(job.workspaceId, payload.conversationId) });
        return { ok: true, statusCode: 250 };
      } catch (error) {
        const e = error as { responseCode?: number; message?: string };
        const message = e.message ?? String(error);
        // A 5xx reply is the server refusing this message for good (no such mailbox, policy): RFC
        // 5321 §4.2.1 says not to send it again as it is, so it is given up at once, and it does not
        // count towards pausing email for the workspace. No reply, or a 4xx (busy, try later), is
        // retried and does count.
        const refused = e.responseCode !== undefined && e.responseCode >= 500;
        // The operator's only sight of a mail server that refuses or is down: the delivery log is per
        // webhook endpoint, and the agent never learns an email did not come. Agent id, not address.
        console.warn(`[baton] notification email to agent ${payload.agentId} (workspace ${job.workspaceId}, attempt ${job.attempts + 1}) ${refused ? 'refused, not retried' : 'failed, will retry'}: ${message}`);
        return { ok: false, ...(refused ? { permanent: true, blame: 'message' as const } : {}), ...(e.responseCode ? { statusCode: e.responseCode } : {}), error: message };
      }
    },
    retryDelayMs: (attempts) => exponentialBackoff(attempts),
  };
}
