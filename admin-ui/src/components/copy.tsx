// A read-only value with a Copy button (navigator.clipboard), for secrets and URLs an
// administrator pastes elsewhere. Where the browser refuses, the value is selected instead.
// The button's name says what it copies: a page may have several.
import { useRef, useState } from 'preact/hooks';

export function CopyField({ id, label, value, hint }: { id: string; label: string; value: string; hint?: string }) {
  const field = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | undefined>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      field.current?.select();
      setCopied('failed');
    }
  };
  return (
    <div class="field">
      <div class="label-row">
        <label for={id}>{label}</label>
      </div>
      <div class="copy-row">
        <input
          ref={field}
          id={id}
          class="mono"
          readOnly
          value={value}
          aria-describedby={hint ? `${id}-hint` : undefined}
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" class="secondary" onClick={copy} aria-label={`Copy ${label}`} aria-describedby={`${id}-status`}>
          Copy
        </button>
      </div>
      {hint && (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      )}
      <p id={`${id}-status`} class="hint" role="status">
        {copied === 'yes' && 'Copied to the clipboard.'}
        {copied === 'failed' && 'The browser did not allow copying: the text is selected, copy it with Ctrl+C / ⌘C.'}
      </p>
    </div>
  );
}
