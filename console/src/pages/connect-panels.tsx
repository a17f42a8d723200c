/**
 * What to paste into CleverTap's Generic (Other) WhatsApp provider form and into Meta's App
 * Dashboard, each value with a copy button, and the two callback URLs CleverTap shows, to paste
 * back here. Secrets are write-only: the auth value is shown masked, as a reminder of which one.
 */
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/context.tsx';
import type { AccountConnect, AccountView } from '../api/types.ts';
import { CopyField } from '../components/copy-field.tsx';
import { Field } from '../components/field.tsx';
import { ErrorNotice } from '../components/error-notice.tsx';
import { errorsByField } from './account-form.tsx';

/**
 * The connect values, from the API or (an older gateway) worked out from this page's origin. The
 * gateway answers paths only while it does not know its public address (no server.publicBaseUrl):
 * they are completed with the address this page was loaded from.
 */
export function connectOf(account: AccountView): AccountConnect {
  if (account.connect) {
    const { clevertap, meta } = account.connect;
    return {
      clevertap: { ...clevertap, endpoint: absolute(clevertap.endpoint), templateImportUrl: absolute(clevertap.templateImportUrl) },
      meta: { ...meta, webhookUrl: absolute(meta.webhookUrl) },
    };
  }
  const base = `${window.location.origin}`;
  const auth = account.clevertap.auth;
  return {
    clevertap: {
      endpoint: `${base}/v1/clevertap/${account.id}/messages`,
      requestType: 'POST',
      auth:
        auth.kind === 'bearer'
          ? { kind: 'bearer', header: 'Authorization', value: `Bearer ${auth.token}` }
          : auth.kind === 'basic'
            ? { kind: 'basic', username: auth.username, password: auth.password }
            : { kind: 'headers', headers: auth.headers },
      templateImportUrl: `${base}/v1/clevertap/${account.id}/templates`,
    },
    meta: { webhookUrl: `${base}/webhooks/whatsapp`, verifyToken: account.whatsapp.webhookVerifyToken ?? '' },
  };
}

function absolute(url: string): string {
  return url.startsWith('/') ? `${window.location.origin}${url}` : url;
}

/** True when the gateway does not know its public address and the URLs were completed here. */
function guessedBase(account: AccountView): boolean {
  return account.connect === undefined || account.connect.clevertap.endpoint.startsWith('/');
}

const BASE_NOTE = "Built from this page's address: set server.publicBaseUrl to the address CleverTap and Meta reach.";

const SECRET_NOTE = 'Write-only: shown masked. Paste the secret you set for this account.';

export function ConnectClevertap({ account }: { account: AccountView }) {
  const { clevertap } = connectOf(account);
  const auth = clevertap.auth;
  return (
    <section className="card panel" aria-labelledby="connect-clevertap">
      <h2 id="connect-clevertap">Connect CleverTap</h2>
      <p className="hint">
        In CleverTap: Settings → Channels → WhatsApp → Other (Generic). Paste these values, then copy CleverTap's two callback URLs into the
        fields below.
      </p>
      <CopyField label="HTTP Endpoint" value={clevertap.endpoint} testId="connect-endpoint" {...(guessedBase(account) ? { note: BASE_NOTE } : {})} />
      <CopyField label="Request Type" value={clevertap.requestType} />
      {auth.kind === 'bearer' ? (
        <>
          <CopyField label="Header name" value={auth.header} />
          <CopyField label="Header value" value={auth.value} note={SECRET_NOTE} />
        </>
      ) : null}
      {auth.kind === 'basic' ? (
        <>
          <CopyField label="Basic auth user name" value={auth.username} />
          <CopyField label="Basic auth password" value={auth.password} note={SECRET_NOTE} />
        </>
      ) : null}
      {auth.kind === 'headers'
        ? Object.entries(auth.headers).map(([name, value]) => (
            <div className="pair" key={name}>
              <CopyField label="Header name" value={name} />
              <CopyField label={`${name} value`} value={value} note={SECRET_NOTE} />
            </div>
          ))
        : null}
      <CopyField label="Template import URL" value={clevertap.templateImportUrl} note="Same credentials as the endpoint." />
      <CallbackUrls account={account} />
    </section>
  );
}

/** CleverTap's Delivery Report and Inbound Message Callback URLs, saved on the account. */
function CallbackUrls({ account }: { account: AccountView }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [deliveryReportUrl, setDeliveryReportUrl] = useState(account.clevertap.deliveryReportUrl ?? '');
  const [inboundMessageUrl, setInboundMessageUrl] = useState(account.clevertap.inboundMessageUrl ?? '');
  const save = useMutation({
    mutationFn: () => {
      const { source: _s, readOnly: _r, createdAt: _c, updatedAt: _u, connect: _x, health: _h, ...document } = account;
      const clevertap = { ...document.clevertap };
      if (deliveryReportUrl.trim()) clevertap.deliveryReportUrl = deliveryReportUrl.trim();
      else delete clevertap.deliveryReportUrl;
      if (inboundMessageUrl.trim()) clevertap.inboundMessageUrl = inboundMessageUrl.trim();
      else delete clevertap.inboundMessageUrl;
      // Only the URLs changed: the Graph credentials were checked when they were saved.
      return api.send<AccountView>('PUT', `/v1/admin/accounts/${encodeURIComponent(account.id)}?verify=false`, { ...document, clevertap });
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['accounts'] }),
  });
  const errors = errorsByField(save.error);
  return (
    <form
      className="callback-urls"
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate();
      }}
    >
      <h3>CleverTap's callback URLs</h3>
      <fieldset disabled={account.readOnly || save.isPending}>
        <Field label="Delivery Report Callback URL" path="clevertap.deliveryReportUrl" value={deliveryReportUrl} onChange={setDeliveryReportUrl} errors={errors} placeholder="https://…" />
        <Field label="Inbound Message Callback URL" path="clevertap.inboundMessageUrl" value={inboundMessageUrl} onChange={setInboundMessageUrl} errors={errors} placeholder="https://…" />
        {account.readOnly ? (
          <p className="hint">Declared in the configuration file: set them there.</p>
        ) : (
          <div className="actions">
            <button type="submit">{save.isPending ? 'Saving…' : 'Save callback URLs'}</button>
            {save.isSuccess ? <span className="ok">Saved.</span> : null}
          </div>
        )}
      </fieldset>
      {save.error && Object.keys(errors).length === 0 ? <ErrorNotice error={save.error} /> : null}
    </form>
  );
}

export function ConnectMeta({ account }: { account: AccountView }) {
  const { meta } = connectOf(account);
  return (
    <section className="card panel" aria-labelledby="connect-meta">
      <h2 id="connect-meta">Connect Meta</h2>
      <p className="hint">
        In Meta's App Dashboard: WhatsApp → Configuration → Webhook. Paste the callback URL and verify token, then subscribe to the{' '}
        <code>messages</code> and <code>message_template_status_update</code> fields.
      </p>
      <CopyField label="Callback URL" value={meta.webhookUrl} testId="connect-webhook-url" {...(guessedBase(account) ? { note: BASE_NOTE } : {})} />
      <CopyField label="Verify token" value={meta.verifyToken} note={SECRET_NOTE} />
    </section>
  );
}
