/**
 * The account form, for a new account and for editing a stored one. It sends the account in the
 * configuration file's shape; the gateway validates it, checks the Graph credentials live (unless
 * "check with Meta" is off) and answers field errors by dotted path, each shown under its input.
 * Secrets come back masked ("EAAG…f3c2"): sent back unchanged, the gateway keeps the stored one.
 */
import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client.ts';
import { useApi } from '../api/context.tsx';
import type { AccountDocument, AccountView, ClevertapAuth } from '../api/types.ts';
import { Field, type FieldErrors } from '../components/field.tsx';

interface HeaderPair {
  name: string;
  value: string;
}

interface FormState {
  id: string;
  wabaNumber: string;
  defaultCountryCode: string;
  authKind: ClevertapAuth['kind'];
  bearerToken: string;
  basicUsername: string;
  basicPassword: string;
  headers: HeaderPair[];
  deliveryReportUrl: string;
  inboundMessageUrl: string;
  graphBaseUrl: string;
  phoneNumberId: string;
  wabaId: string;
  accessToken: string;
  appSecret: string;
  webhookVerifyToken: string;
  verify: boolean;
}

/** The paths this form shows an input for; errors on other paths are listed above it. */
const SHOWN_PATHS = [
  'id',
  'wabaNumber',
  'defaultCountryCode',
  'clevertap.auth',
  'clevertap.auth.token',
  'clevertap.auth.username',
  'clevertap.auth.password',
  'clevertap.auth.headers',
  'clevertap.deliveryReportUrl',
  'clevertap.inboundMessageUrl',
  'whatsapp.graphBaseUrl',
  'whatsapp.phoneNumberId',
  'whatsapp.wabaId',
  'whatsapp.accessToken',
  'whatsapp.appSecret',
  'whatsapp.webhookVerifyToken',
];

function initialState(account: AccountView | undefined): FormState {
  const auth = account?.clevertap.auth;
  return {
    id: account?.id ?? '',
    wabaNumber: account?.wabaNumber ?? '',
    defaultCountryCode: account?.defaultCountryCode ?? '',
    authKind: auth?.kind ?? 'bearer',
    bearerToken: auth?.kind === 'bearer' ? auth.token : '',
    basicUsername: auth?.kind === 'basic' ? auth.username : '',
    basicPassword: auth?.kind === 'basic' ? auth.password : '',
    headers: auth?.kind === 'headers' ? Object.entries(auth.headers).map(([name, value]) => ({ name, value })) : [{ name: '', value: '' }],
    deliveryReportUrl: account?.clevertap.deliveryReportUrl ?? '',
    inboundMessageUrl: account?.clevertap.inboundMessageUrl ?? '',
    graphBaseUrl: account?.whatsapp.graphBaseUrl ?? '',
    phoneNumberId: account?.whatsapp.phoneNumberId ?? '',
    wabaId: account?.whatsapp.wabaId ?? '',
    accessToken: account?.whatsapp.accessToken ?? '',
    appSecret: account?.whatsapp.appSecret ?? '',
    webhookVerifyToken: account?.whatsapp.webhookVerifyToken ?? '',
    verify: true,
  };
}

/** The account document to send: the stored one's other settings kept, view-only fields dropped. */
export function toDocument(form: FormState, base: AccountView | undefined): AccountDocument & { version?: number } {
  // `version` goes back with a PUT: the gateway refuses it (409) if someone changed the account since.
  const { source: _source, readOnly: _readOnly, createdAt: _created, updatedAt: _updated, connect: _connect, health: _health, ...kept } =
    base ?? ({} as Partial<AccountView>);
  const auth: ClevertapAuth =
    form.authKind === 'basic'
      ? { kind: 'basic', username: form.basicUsername, password: form.basicPassword }
      : form.authKind === 'headers'
        ? { kind: 'headers', headers: Object.fromEntries(form.headers.filter((pair) => pair.name.trim()).map((pair) => [pair.name.trim(), pair.value])) }
        : { kind: 'bearer', token: form.bearerToken };
  const document: AccountDocument & { version?: number } = {
    ...(kept as Partial<AccountDocument & { version?: number }>),
    id: form.id.trim(),
    wabaNumber: form.wabaNumber.trim(),
    clevertap: { ...(kept.clevertap ?? {}), auth },
    whatsapp: { ...(kept.whatsapp ?? {}) },
  };
  setOptional(document as unknown as Record<string, unknown>, 'defaultCountryCode', form.defaultCountryCode);
  setOptional(document.clevertap, 'deliveryReportUrl', form.deliveryReportUrl);
  setOptional(document.clevertap, 'inboundMessageUrl', form.inboundMessageUrl);
  for (const key of ['graphBaseUrl', 'phoneNumberId', 'wabaId', 'accessToken', 'appSecret', 'webhookVerifyToken'] as const) {
    setOptional(document.whatsapp, key, form[key]);
  }
  return document;
}

function setOptional(target: Record<string, unknown>, key: string, value: string): void {
  if (value.trim()) target[key] = value.trim();
  else delete target[key];
}

/** Field errors by path; several for one path are joined. */
export function errorsByField(error: unknown): FieldErrors {
  const byField: FieldErrors = {};
  if (error instanceof ApiError) {
    for (const { field, message } of error.errors) byField[field] = byField[field] ? `${byField[field]}; ${message}` : message;
  }
  return byField;
}

export function AccountForm({ account, onSaved }: { account?: AccountView; onSaved(saved: AccountView): void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<FormState>(() => initialState(account));
  const editing = account !== undefined;
  const readOnly = account?.readOnly === true;

  const save = useMutation({
    mutationFn: async (state: FormState) => {
      const query = state.verify ? '' : '?verify=false';
      const document = toDocument(state, account);
      return editing
        ? api.send<AccountView>('PUT', `/v1/admin/accounts/${encodeURIComponent(account.id)}${query}`, document)
        : api.send<AccountView>('POST', `/v1/admin/accounts${query}`, document);
    },
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: ['accounts'] });
      onSaved(saved);
    },
  });

  const errors = errorsByField(save.error);
  const otherErrors = Object.entries(errors).filter(([field]) => !SHOWN_PATHS.includes(field) && !field.startsWith('clevertap.auth.headers'));
  const headerErrors = Object.entries(errors)
    .filter(([field]) => field.startsWith('clevertap.auth.headers'))
    .map(([, message]) => message)
    .join('; ');
  const secretHint = (hint: string) => (editing ? 'Shown masked: leave it as it is to keep the stored secret, or type a new one.' : hint);
  const set = <K extends keyof FormState>(key: K) => (value: FormState[K]) => setForm((previous) => ({ ...previous, [key]: value }));

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate(form);
  }

  return (
    <form className="account-form" onSubmit={submit} noValidate aria-label={editing ? `Edit account ${account.id}` : 'New account'}>
      {readOnly ? (
        <div className="notice">This account is declared in the configuration file: edit the file to change it.</div>
      ) : null}
      {save.error ? (
        <div className="notice error" role="alert" data-testid="form-error">
          <strong>{save.error.message}</strong>
          {save.error instanceof ApiError && save.error.isAuth ? ' Enter another admin token from the header.' : null}
          {otherErrors.length > 0 ? (
            <ul>
              {otherErrors.map(([field, message]) => (
                <li key={field}>
                  <code>{field}</code>: {message}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      <fieldset disabled={readOnly || save.isPending}>
        <legend>Account</legend>
        <Field label="Account id" path="id" value={form.id} onChange={set('id')} errors={errors} readOnly={editing} hint="Letters, digits, - and _: it appears in CleverTap's endpoint URL." required />
        <Field label="WhatsApp business number" path="wabaNumber" value={form.wabaNumber} onChange={set('wabaNumber')} errors={errors} placeholder="919888888888" hint="With country code; one account per number." required />
        <Field label="Default country code" path="defaultCountryCode" value={form.defaultCountryCode} onChange={set('defaultCountryCode')} errors={errors} placeholder="91" hint="Added to recipient numbers sent without one." />
      </fieldset>

      <fieldset disabled={readOnly || save.isPending}>
        <legend>WhatsApp Cloud API (Meta)</legend>
        <Field label="Phone number id" path="whatsapp.phoneNumberId" value={form.phoneNumberId} onChange={set('phoneNumberId')} errors={errors} />
        <Field label="WhatsApp Business Account id" path="whatsapp.wabaId" value={form.wabaId} onChange={set('wabaId')} errors={errors} />
        <Field label="Access token" path="whatsapp.accessToken" value={form.accessToken} onChange={set('accessToken')} errors={errors} type="password" autoComplete="off" hint={secretHint("A system user token with whatsapp_business_messaging.")} />
        <Field label="App secret" path="whatsapp.appSecret" value={form.appSecret} onChange={set('appSecret')} errors={errors} type="password" autoComplete="off" hint={secretHint("Checks the signature of Meta's webhooks.")} />
        <Field label="Webhook verify token" path="whatsapp.webhookVerifyToken" value={form.webhookVerifyToken} onChange={set('webhookVerifyToken')} errors={errors} type="password" autoComplete="off" hint={secretHint("Any string; paste the same one into Meta's webhook form.")} />
        <Field label="Graph base URL" path="whatsapp.graphBaseUrl" value={form.graphBaseUrl} onChange={set('graphBaseUrl')} errors={errors} placeholder="https://graph.facebook.com/v23.0" />
      </fieldset>

      <fieldset disabled={readOnly || save.isPending}>
        <legend>CleverTap</legend>
        <div className="field" data-field="clevertap.auth">
          <label htmlFor="auth-kind">How CleverTap authenticates</label>
          <select id="auth-kind" value={form.authKind} onChange={(event) => set('authKind')(event.target.value as FormState['authKind'])}>
            <option value="bearer">Authorization: Bearer token</option>
            <option value="basic">Basic (user name and password)</option>
            <option value="headers">Custom headers</option>
          </select>
          {errors['clevertap.auth'] ? <span className="field-error" role="alert">{errors['clevertap.auth']}</span> : null}
        </div>
        {form.authKind === 'bearer' ? (
          <Field label="Bearer token" path="clevertap.auth.token" value={form.bearerToken} onChange={set('bearerToken')} errors={errors} type="password" autoComplete="off" hint={secretHint("The secret CleverTap sends; choose a long random one.")} />
        ) : null}
        {form.authKind === 'basic' ? (
          <>
            <Field label="User name" path="clevertap.auth.username" value={form.basicUsername} onChange={set('basicUsername')} errors={errors} autoComplete="off" />
            <Field label="Password" path="clevertap.auth.password" value={form.basicPassword} onChange={set('basicPassword')} errors={errors} type="password" autoComplete="off" {...(editing ? { hint: secretHint('') } : {})} />
          </>
        ) : null}
        {form.authKind === 'headers' ? (
          <div className={`field${headerErrors ? ' invalid' : ''}`} data-field="clevertap.auth.headers">
            <span className="label">Headers CleverTap sends</span>
            {form.headers.map((pair, index) => (
              <div className="pair" key={index}>
                <input aria-label={`Header ${index + 1} name`} placeholder="api-key" value={pair.name} onChange={(event) => set('headers')(form.headers.map((p, i) => (i === index ? { ...p, name: event.target.value } : p)))} />
                <input aria-label={`Header ${index + 1} value`} type="password" autoComplete="off" value={pair.value} onChange={(event) => set('headers')(form.headers.map((p, i) => (i === index ? { ...p, value: event.target.value } : p)))} />
                <button type="button" className="secondary" onClick={() => set('headers')(form.headers.filter((_, i) => i !== index))} disabled={form.headers.length === 1}>
                  Remove
                </button>
              </div>
            ))}
            <button type="button" className="secondary" onClick={() => set('headers')([...form.headers, { name: '', value: '' }])}>
              Add a header
            </button>
            {headerErrors ? <span className="field-error" role="alert">{headerErrors}</span> : null}
          </div>
        ) : null}
        <Field label="Delivery Report Callback URL" path="clevertap.deliveryReportUrl" value={form.deliveryReportUrl} onChange={set('deliveryReportUrl')} errors={errors} placeholder="https://…" hint="Copy it from CleverTap's WhatsApp provider setup." />
        <Field label="Inbound Message Callback URL" path="clevertap.inboundMessageUrl" value={form.inboundMessageUrl} onChange={set('inboundMessageUrl')} errors={errors} placeholder="https://…" hint="Copy it from CleverTap's WhatsApp provider setup." />
      </fieldset>

      {readOnly ? null : (
        <div className="actions">
          <label className="checkbox">
            <input type="checkbox" checked={form.verify} onChange={(event) => set('verify')(event.target.checked)} /> Check the credentials with Meta before saving
          </label>
          <button type="submit" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : editing ? 'Save changes' : 'Create account'}
          </button>
        </div>
      )}
    </form>
  );
}
