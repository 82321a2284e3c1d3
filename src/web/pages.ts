import { formatValue } from '../authz/values.ts';
import {
  explainProvenance,
  requestStandingWords,
  UNVERIFIED_NOT_SHOWN,
  unverifiedWords,
  whyPerson,
} from '../provenance/explain.ts';
import type { PendingApprovalView, RecentDecisionView } from './approvals-backend.ts';
import { html, SafeHtml } from './html.ts';
import type { WebSession } from './sessions.ts';

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
header{background:#1d2330;color:#fff;padding:10px 20px;display:flex;justify-content:space-between;align-items:center}
header form{display:inline}main{padding:16px 20px;max-width:1200px}
h1{font-size:18px;margin:0}h2{font-size:16px;margin:24px 0 8px}
.card{background:#fff;border:1px solid #d6d9e0;border-radius:6px;padding:12px 16px;margin:0 0 12px}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0 0 8px}.meta dt{color:#5b6478}
pre{background:#f0f2f5;padding:8px;border-radius:4px;overflow:auto;margin:4px 0}
.risk-critical,.risk-high{color:#a0141e;font-weight:600}.risk-medium{color:#8a5a00}
textarea{width:100%;min-height:44px;box-sizing:border-box}button{margin:6px 6px 0 0;padding:5px 12px}
table{border-collapse:collapse;width:100%;background:#fff}td,th{border:1px solid #d6d9e0;padding:4px 8px;text-align:left;vertical-align:top}
.flash{background:#e7f3e9;border:1px solid #9bc8a3;padding:8px 12px;border-radius:4px;margin-bottom:12px}
.why li,.provenance li{margin:2px 0}.untrusted{color:#a0141e}blockquote.request{margin:4px 0;padding:6px 10px;border-left:3px solid #9bb0d6;background:#f0f4fb;white-space:pre-wrap}
.flash.error{background:#fbe9ea;border-color:#d9a0a4}.denied,.rejected{color:#a0141e}.empty{color:#5b6478}
`;

function layout(title: string, body: SafeHtml, header?: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><style>${new SafeHtml(STYLE)}</style></head>
<body><header><h1>Warden approvals</h1>${header ?? ''}</header><main>${body}</main></body></html>`.value;
}

/** The sign-in form; `csrf` is the pre-session token its cookie holds too. */
export function loginPage(csrf: string, error?: string): string {
  return layout(
    'Warden approvals: sign in',
    html`<div class="card"><form method="post" action="/login">
<p>Sign in with your approver token.</p>
<input type="hidden" name="csrf" value="${csrf}">
${error ? html`<p class="flash error" role="alert">${error}</p>` : ''}
<label>Approver token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
<button type="submit">Sign in</button></form></div>`,
  );
}

export function age(fromIso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(fromIso)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
}

/** Why the tool worker's recorded decision is not shown, when it did not verify. */
function unverified(item: PendingApprovalView): string | undefined {
  return item.decisionCheck?.verified === false ? unverifiedWords(item.decisionCheck.problem) : undefined;
}

/** The user's request as the run sent it, and whether it counted. */
function requestSection(item: PendingApprovalView): SafeHtml {
  if (unverified(item) !== undefined) {
    return html`<div class="request-none unverified">Request: ${UNVERIFIED_NOT_SHOWN}</div>`;
  }
  const standing = item.provenance
    ? html` <span class="standing">(${requestStandingWords(item.provenance.request)})</span>`
    : '';
  return item.request === undefined
    ? html`<div class="request-none">No request text was sent with this run.${standing}</div>`
    : html`<div>${item.requester.replace(/^User:/, '')}'s request${standing}</div><blockquote class="request">${item.request}</blockquote>`;
}

/** Where each argument value came from, one line each; untrusted ones stand out. */
function provenanceSection(item: PendingApprovalView): SafeHtml | string {
  if (unverified(item) !== undefined) {
    return html`<div>Where the arguments came from</div><ul class="provenance"><li class="unverified">${UNVERIFIED_NOT_SHOWN}</li></ul>`;
  }
  if (!item.provenance) return '';
  const lines = explainProvenance(item.provenance, item.requester);
  return html`<div>Where the arguments came from</div><ul class="provenance">${
    lines.length
      ? lines.map((line, i) => {
          const origin = item.provenance?.values[i]?.origin ?? 'unknown';
          return html`<li class="${origin === 'trusted' ? 'trusted' : 'untrusted'}">${line}</li>`;
        })
      : html`<li>No argument value was traced to a source.</li>`
  }</ul>`;
}

/** Why a person decides, in words, or why those words are not shown. */
export function whyShown(
  item: Pick<PendingApprovalView, 'reasons' | 'provenance' | 'decisionCheck'>,
): string[] {
  if (item.decisionCheck?.verified === false) return [unverifiedWords(item.decisionCheck.problem)];
  return whyPerson(item.reasons, item.provenance);
}

function pendingCard(item: PendingApprovalView, csrf: string, now: number): SafeHtml {
  const hidden = html`<input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="run" value="${item.workflowId}"><input type="hidden" name="call" value="${item.callId}">`;
  return html`<section class="card pending" data-run="${item.workflowId}" data-call="${item.callId}">
<dl class="meta">
<dt>Tool</dt><dd><strong>${item.tool}</strong></dd>
<dt>Risk</dt><dd class="risk-${item.risk}">${item.risk}</dd>
<dt>Requested by</dt><dd>${item.requester} via ${item.agent}</dd>
<dt>Run</dt><dd><code>${item.workflowId}</code></dd>
<dt>Call</dt><dd><a href="/call?run=${encodeURIComponent(item.workflowId)}&amp;call=${encodeURIComponent(item.callId)}"><code>${item.callId}</code></a></dd>
<dt>Waiting</dt><dd>${age(item.requestedAt, now)}${item.expiresAt ? ` (expires ${item.expiresAt})` : ''}</dd>
<dt>Why a person</dt><dd><ul class="why">${whyShown(item).map((r) => html`<li>${r}</li>`)}</ul></dd>
<dt>Approvals</dt><dd>${item.approvalsSoFar.length} of ${item.quorum}${item.approvalsSoFar.length ? ` (${item.approvalsSoFar.join(', ')})` : ''}</dd>
</dl>
${requestSection(item)}${provenanceSection(item)}
<div>Arguments (what you sign)</div><pre>${JSON.stringify(item.arguments, null, 2)}</pre>
<form method="post" action="/decide">${hidden}
<label>Reason <textarea name="reason" required maxlength="500"></textarea></label>
${
  unverified(item) === undefined
    ? html`<button type="submit" name="decision" value="approve">Approve</button>
`
    : ''
}<button type="submit" name="decision" value="reject">Reject</button>
</form></section>`;
}

function decisionsTable(rows: RecentDecisionView[]): SafeHtml {
  if (rows.length === 0) return html`<p class="empty">No decisions yet.</p>`;
  return html`<table id="recent"><thead><tr><th>When</th><th>Outcome</th><th>Tool</th><th>By</th><th>Reason</th><th>Run / call</th><th>Policy</th></tr></thead><tbody>
${rows.map(
  (row) =>
    html`<tr><td>${row.at}</td><td class="${row.outcome}">${row.outcome}</td><td>${row.tool}</td><td>${row.by}</td><td>${row.reason}</td><td><code>${row.workflowId}</code> <code>${row.callId}</code></td><td>${row.policyVersion ?? ''}</td></tr>`,
)}</tbody></table>`;
}

export interface ApprovalsPageModel {
  session: WebSession;
  pending: PendingApprovalView[];
  recent: RecentDecisionView[];
  now: number;
  flash?: { text: string; error: boolean };
  /** The cursor of the next page of runs with calls waiting. */
  next?: string;
  /** This page is not the first: it links back to it. */
  laterPage?: boolean;
  /** Why the page asked for was refused (a cursor this service did not issue). */
  refused?: string;
}

function signedInHeader(session: WebSession): SafeHtml {
  const who = formatValue(session.identity.user);
  return html`<span>Signed in as <strong id="who">${who}</strong>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="${session.csrfToken}"><button type="submit">Sign out</button></form></span>`;
}

function flashLine(flash: { text: string; error: boolean } | undefined): SafeHtml | string {
  return flash ? html`<p class="flash${flash.error ? ' error' : ''}" role="status">${flash.text}</p>` : '';
}

export interface CallPageModel {
  session: WebSession;
  /** Absent when the call is not waiting or this user may not see it: the page says the same. */
  item?: PendingApprovalView;
  now: number;
  flash?: { text: string; error: boolean };
}

/** One pending call on a page of its own, e.g. linked from a notification. */
export function callPage(model: CallPageModel): string {
  const { session, item, now, flash } = model;
  const body = item
    ? pendingCard(item, session.csrfToken, now)
    : html`<p class="empty" id="no-call">No such call is waiting for your approval.</p>`;
  return layout(
    'Warden approvals: call',
    html`${flashLine(flash)}<p><a href="/">All pending approvals</a></p>${body}`,
    signedInHeader(session),
  );
}

/** Links to the first page and to the next one, when the listing has them. */
function pager(model: ApprovalsPageModel): SafeHtml | string {
  const links = [
    model.laterPage ? html`<a id="first" href="/">First page</a>` : '',
    model.next !== undefined
      ? html`<a id="more" href="/?after=${encodeURIComponent(model.next)}">More pending approvals</a>`
      : '',
  ].filter((link) => link !== '');
  return links.length
    ? html`<p class="pager">${links.map((link, i) => html`${i ? ' · ' : ''}${link}`)}</p>`
    : '';
}

export function approvalsPage(model: ApprovalsPageModel): string {
  const { session, pending, recent, now, flash } = model;
  const header = signedInHeader(session);
  if (model.refused !== undefined) {
    return layout(
      'Warden approvals',
      html`<p class="flash error" role="alert" id="refused">${model.refused}</p><p><a id="first" href="/">First page</a></p>`,
      header,
    );
  }
  const denials = recent.filter((row) => row.outcome === 'denied' || row.outcome === 'rejected');
  const empty = model.laterPage
    ? 'Nothing more is waiting for approval.'
    : 'Nothing is waiting for approval.';
  return layout(
    'Warden approvals',
    html`${flashLine(flash)}
<h2>Pending approvals (${pending.length})</h2>
${pending.length ? pending.map((item) => pendingCard(item, session.csrfToken, now)) : html`<p class="empty">${empty}</p>`}
${pager(model)}
<h2>Recent denials (${denials.length})</h2>${decisionsTable(denials)}
<h2>Recent decisions</h2>${decisionsTable(recent)}`,
    header,
  );
}
