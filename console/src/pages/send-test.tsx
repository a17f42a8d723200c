/**
 * Send test: the exact CleverTap-shaped request for a template (its parameters form built from
 * the template's components) or a freeform text, sent to the gateway's own CleverTap endpoint,
 * with the request and the answer shown as they went.
 *
 * The console does not hold the account's CleverTap secret (write-only). It asks the gateway to
 * send on its behalf (`POST /v1/admin/accounts/{id}/send-test`, admin token), which runs the
 * request through the CleverTap endpoint's own logic with the account's credentials and answers
 * `{ status, body, messageId }`: the endpoint's answer, shown as such. Only a gateway without that
 * route gets the request directly, and only then does the page ask for the CleverTap credential.
 */
import { useMemo, useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { useAccountIds, useAccounts, useApi, useTemplates } from '../api/context.tsx';
import type { RawAnswer } from '../api/client.ts';
import { ErrorNotice } from '../components/error-notice.tsx';
import { WhatsAppBubble } from '../components/whatsapp-bubble.tsx';
import { inputsOf, templateRequest, testMsgId, textRequest } from '../clevertap-request.ts';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import type { MessageSummary, Page } from '../api/types.ts';
import { Timeline } from '../components/timeline.tsx';
import { useMessage } from './message.tsx';

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** The CleverTap endpoint's answer (unwrapped from the send-test route's). */
  answer: RawAnswer;
  via: 'admin' | 'direct';
  /** The stored message, when the gateway said which it is. */
  messageId?: string;
}

/** The send-test route's answer: the CleverTap endpoint's status and body, and the stored message's id. */
interface SendTestAnswer {
  status: number;
  body: unknown;
  messageId?: string;
}

function isSendTestAnswer(body: unknown): body is SendTestAnswer {
  return typeof body === 'object' && body !== null && typeof (body as SendTestAnswer).status === 'number' && 'body' in body;
}

export function SendTestPage() {
  const api = useApi();
  const { ids, error: idsError } = useAccountIds();
  const accounts = useAccounts();
  const [chosenAccount, setAccount] = useState<string>();
  const accountId = chosenAccount ?? ids[0];
  const account = accounts.data?.find((entry) => entry.id === accountId);
  const templates = useTemplates(accountId);
  const approved = useMemo(() => (templates.data ?? []).filter((template) => template.status === 'APPROVED' && !template.components.some((c) => c.type.toUpperCase() === 'CAROUSEL')), [templates.data]);

  const [mode, setMode] = useState<'template' | 'text'>('template');
  const [templateKey, setTemplateKey] = useState<string>();
  const template = approved.find((entry) => `${entry.name}|${entry.language}` === templateKey) ?? approved[0];
  const [values, setValues] = useState<Record<string, string>>({});
  const [text, setText] = useState('Hello from the wabridge console');
  const [to, setTo] = useState('919999999999');
  const [wabaNumberTyped, setWabaNumber] = useState('');
  const wabaNumber = account?.wabaNumber.replace(/^\+/, '') ?? wabaNumberTyped;
  const [credential, setCredential] = useState('');
  // Learnt from the first send: an older gateway without the send-test route needs the credential.
  const [adminRoute, setAdminRoute] = useState<boolean>();

  const inputs = template && mode === 'template' ? inputsOf(template) : [];

  function request(): Record<string, unknown> {
    const target = { to: to.trim(), wabaNumber, msgId: testMsgId() };
    return mode === 'template' && template ? templateRequest(template, values, target) : textRequest(text, target);
  }

  const send = useMutation({
    mutationFn: async (): Promise<Sent> => {
      const body = request();
      const id = encodeURIComponent(accountId ?? '');
      const viaAdmin = `/v1/admin/accounts/${id}/send-test`;
      const direct = `/v1/clevertap/${id}/messages`;
      const answer = await api.raw('POST', viaAdmin, body, {}, true);
      if (!(answer.status === 404 && String((answer.body as { message?: string })?.message ?? '').startsWith('no route'))) {
        setAdminRoute(true);
        if (answer.status === 200 && isSendTestAnswer(answer.body)) {
          const { status, body: answered, messageId } = answer.body;
          return {
            url: direct,
            headers: { Authorization: "<the account's CleverTap credential, presented by the gateway>" },
            body,
            answer: { status, body: answered, ms: answer.ms },
            via: 'admin',
            ...(messageId ? { messageId } : {}),
          };
        }
        // The admin API refused (token, unknown account): its own answer is what there is to show.
        return { url: viaAdmin, headers: { Authorization: 'Bearer <admin token>' }, body, answer, via: 'admin' };
      }
      setAdminRoute(false);
      const headers: Record<string, string> = credential ? { authorization: credential.startsWith('Bearer ') || credential.startsWith('Basic ') ? credential : `Bearer ${credential}` } : {};
      const answered = await api.raw('POST', direct, body, headers);
      return { url: direct, headers: credential ? { Authorization: '<the CleverTap credential typed above>' } : {}, body, answer: answered, via: 'direct' };
    },
  });

  return (
    <section>
      <h1>Send test</h1>
      <ErrorNotice error={idsError} />
      <div className="two-columns">
        <form
          className="card"
          onSubmit={(event) => {
            event.preventDefault();
            send.mutate();
          }}
          aria-label="Test message"
        >
          <div className="field">
            <label htmlFor="send-account">Account</label>
            <select id="send-account" value={accountId ?? ''} onChange={(event) => setAccount(event.target.value)}>
              {ids.map((id) => (
                <option key={id}>{id}</option>
              ))}
            </select>
          </div>
          {account ? null : (
            <div className="field">
              <label htmlFor="send-waba">WhatsApp business number</label>
              <input id="send-waba" value={wabaNumberTyped} onChange={(event) => setWabaNumber(event.target.value)} placeholder="919888888888" />
            </div>
          )}
          <div className="field">
            <label htmlFor="send-to">Recipient number</label>
            <input id="send-to" value={to} onChange={(event) => setTo(event.target.value)} placeholder="919999999999" />
          </div>
          <div className="segmented" role="radiogroup" aria-label="Message kind">
            <label>
              <input type="radio" name="mode" checked={mode === 'template'} onChange={() => setMode('template')} /> Template
            </label>
            <label>
              <input type="radio" name="mode" checked={mode === 'text'} onChange={() => setMode('text')} /> Freeform text
            </label>
          </div>
          {mode === 'template' ? (
            <>
              <div className="field">
                <label htmlFor="send-template">Template (approved)</label>
                <select id="send-template" value={template ? `${template.name}|${template.language}` : ''} onChange={(event) => { setTemplateKey(event.target.value); setValues({}); }}>
                  {approved.map((entry) => (
                    <option key={`${entry.name}|${entry.language}`} value={`${entry.name}|${entry.language}`}>
                      {entry.name} ({entry.language})
                    </option>
                  ))}
                </select>
                {templates.data && approved.length === 0 ? <span className="hint">No approved template is synced for this account.</span> : null}
              </div>
              {inputs.map((input) => (
                <div className="field" key={input.key}>
                  <label htmlFor={`param-${input.key}`}>{input.label}</label>
                  <input id={`param-${input.key}`} placeholder={input.placeholder} value={values[input.key] ?? ''} onChange={(event) => setValues({ ...values, [input.key]: event.target.value })} />
                </div>
              ))}
            </>
          ) : (
            <div className="field">
              <label htmlFor="send-text">Text</label>
              <textarea id="send-text" rows={3} value={text} onChange={(event) => setText(event.target.value)} />
            </div>
          )}
          {adminRoute === false ? (
            <details open>
              <summary>CleverTap credential (this gateway cannot send on the account's behalf)</summary>
              <div className="field">
                <label htmlFor="send-credential">Authorization header value or bearer token</label>
                <input id="send-credential" type="password" autoComplete="off" value={credential} onChange={(event) => setCredential(event.target.value)} />
              </div>
            </details>
          ) : null}
          <div className="actions">
            <button type="submit" disabled={send.isPending || !accountId || (mode === 'template' && !template)}>
              {send.isPending ? 'Sending…' : 'Send test message'}
            </button>
          </div>
        </form>
        <div>
          {mode === 'template' && template ? <WhatsAppBubble components={template.components} values={values} /> : null}
          {mode === 'text' ? <WhatsAppBubble components={[{ type: 'BODY', text }]} /> : null}
        </div>
      </div>
      <ErrorNotice error={send.error} what="Send" />
      {send.data ? <Exchange sent={send.data} /> : null}
      {send.data && accepted(send.data) ? (
        <LiveTimeline key={String(send.data.body['msgId'])} msgId={String(send.data.body['msgId'])} {...(send.data.messageId ? { messageId: send.data.messageId } : {})} />
      ) : null}
    </section>
  );
}

function Exchange({ sent }: { sent: Sent }) {
  const ok = sent.answer.status >= 200 && sent.answer.status < 300;
  return (
    <div className="two-columns exchange" data-testid="send-exchange">
      <div className="card">
        <h2>Request</h2>
        <pre>
          {`POST ${sent.url}\n`}
          {Object.entries(sent.headers).map(([name, value]) => `${name}: ${value}\n`)}
          {'Content-Type: application/json\n\n'}
          {JSON.stringify(sent.body, null, 2)}
        </pre>
        {sent.via === 'direct' ? <p className="hint">Sent straight to the CleverTap endpoint: this gateway has no send-test admin route.</p> : null}
        {sent.via === 'admin' && sent.url.endsWith('/messages') ? (
          <p className="hint">Sent through the admin API's send-test, which runs it through this endpoint exactly as CleverTap's requests are, with the account's credentials.</p>
        ) : null}
      </div>
      <div className="card">
        <h2>
          Answer <span className={ok ? 'ok' : 'bad'}>{sent.answer.status}</span> <span className="muted">{sent.answer.ms} ms</span>
        </h2>
        <pre data-testid="send-answer">{typeof sent.answer.body === 'string' ? sent.answer.body : JSON.stringify(sent.answer.body, null, 2)}</pre>
      </div>
    </div>
  );
}

/** Whether the endpoint took the message: CleverTap's 200 with a success body. */
function accepted(sent: Sent): boolean {
  return sent.messageId !== undefined || (sent.answer.status === 200 && (sent.answer.body as { status?: unknown } | null)?.status === 'success');
}

/** The sent message's timeline, live: by the id the gateway answered, or found by its msgId once stored. */
function LiveTimeline({ msgId, messageId }: { msgId: string; messageId?: string }) {
  const api = useApi();
  const found = useQuery({
    queryKey: ['message-by-msgid', msgId],
    queryFn: async () => (await api.get<Page<MessageSummary>>(`/v1/admin/messages?msgId=${encodeURIComponent(msgId)}&limit=1`)).data[0] ?? null,
    refetchInterval: (query) => (query.state.data ? false : 500),
    enabled: messageId === undefined,
  });
  const id = messageId ?? found.data?.id;
  const detail = useMessage(id);
  return (
    <div className="card" data-testid="live-timeline">
      <h2>
        Timeline {detail.data ? <span className={`state state-${detail.data.message.state}`}>{detail.data.message.state}</span> : null}{' '}
        {id ? (
          <Link href={`/messages/${encodeURIComponent(id)}`} className="small">
            open in Messages
          </Link>
        ) : null}
      </h2>
      <ErrorNotice error={found.error ?? detail.error} />
      {detail.data ? <Timeline entries={detail.data.timeline} /> : <p className="muted">Waiting for the gateway to store the message…</p>}
    </div>
  );
}
