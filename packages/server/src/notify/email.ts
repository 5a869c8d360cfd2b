import nodemailer, { type Transporter } from 'nodemailer';
import type { Deps } from '../deps.js';
import { exponentialBackoff, type Job, type JobHandler } from '../jobs/queue.js';
import { findAgent } from '../storage/agents.js';
import { composeNotification, type NotificationContent, type NotificationJobPayload } from './content.js';

export const EMAIL_JOB = 'email';
export const EMAIL_DISABLED = 'email is disabled: SMTP_URL is not set';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

export function renderEmail(content: NotificationContent): { subject: string; text: string; html: string } {
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
  return { subject: content.title, text, html };
}

/**
 * Sends one notification email over SMTP (nodemailer, `SMTP_URL`). Failures are retried with
 * exponential backoff; without `SMTP_URL` the notifier records email jobs as skipped instead.
 */
export function emailHandler(deps: Deps): JobHandler {
  let transport: Transporter | null = null;
  return {
    async run(job: Job) {
      const smtpUrl = deps.config.smtpUrl;
      if (!smtpUrl) return { ok: false, permanent: true, error: EMAIL_DISABLED };
      const payload = job.payload as NotificationJobPayload;
      const agent = await findAgent(deps.storage.db, job.workspaceId, payload.agentId);
      if (!agent?.email) return { ok: false, permanent: true, error: 'the agent has no email address' };
      const mail = renderEmail(await composeNotification(deps, job.workspaceId, payload));
      transport ??= nodemailer.createTransport(smtpUrl);
      try {
        await transport.sendMail({ from: deps.config.mailFrom, to: agent.email, ...mail });
        return { ok: true, statusCode: 250 };
      } catch (error) {
        const e = error as { responseCode?: number; message?: string };
        return { ok: false, ...(e.responseCode ? { statusCode: e.responseCode } : {}), error: e.message ?? String(error) };
      }
    },
    retryDelayMs: (attempts) => exponentialBackoff(attempts),
  };
}
