/**
 * A labelled form input with the gateway's validation message for its dotted path shown right
 * under it (`whatsapp.accessToken`, `clevertap.deliveryReportUrl`…).
 */
import type { InputHTMLAttributes } from 'react';

export type FieldErrors = Record<string, string>;

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'> {
  label: string;
  /** The dotted path the API names in `errors[].field`. */
  path: string;
  value: string;
  onChange(value: string): void;
  errors: FieldErrors;
  hint?: string;
}

export function Field({ label, path, value, onChange, errors, hint, ...input }: FieldProps) {
  const error = errors[path];
  const id = `field-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  return (
    <div className={`field${error ? ' invalid' : ''}`} data-field={path}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={path}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => onChange(event.target.value)}
        {...input}
      />
      {error ? (
        <span className="field-error" id={`${id}-error`} role="alert">
          {error}
        </span>
      ) : hint ? (
        <span className="hint">{hint}</span>
      ) : null}
    </div>
  );
}
