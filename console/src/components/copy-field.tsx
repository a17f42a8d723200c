/**
 * A value to paste into CleverTap's or Meta's form, with a copy button. The Clipboard API needs a
 * secure context (https, or localhost); elsewhere the value is selected with a legacy copy.
 */
import { useRef, useState } from 'react';

export function CopyField({ label, value, note, testId }: { label: string; value: string; note?: string; testId?: string }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | undefined>();
  const input = useRef<HTMLInputElement>(null);

  async function copy() {
    try {
      if (navigator.clipboard && window.isSecureContext) await navigator.clipboard.writeText(value);
      else legacyCopy();
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
    window.setTimeout(() => setCopied(undefined), 2_000);
  }

  function legacyCopy() {
    input.current?.select();
    if (!document.execCommand('copy')) throw new Error('copy refused');
  }

  return (
    <div className="copy-field" data-testid={testId}>
      <span className="copy-label">{label}</span>
      <div className="copy-row">
        <input ref={input} readOnly value={value} aria-label={label} onFocus={(event) => event.currentTarget.select()} />
        <button type="button" className="secondary" onClick={copy} aria-label={`Copy ${label}`}>
          {copied === 'yes' ? 'Copied' : copied === 'failed' ? 'Select and copy' : 'Copy'}
        </button>
      </div>
      {note ? <span className="hint">{note}</span> : null}
    </div>
  );
}
