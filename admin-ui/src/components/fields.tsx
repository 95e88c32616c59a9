// Form controls with a bound <label for>, a hint and an error wired through
// aria-describedby, so assistive technology (and Playwright's getByLabel) find them.
import type { ComponentChildren } from 'preact';

interface Common {
  id: string;
  label: string;
  required?: boolean;
  hint?: ComponentChildren;
  error?: string | undefined;
}

function describedBy({ id, hint, error }: Common): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

/** The required mark stays outside the <label>, so the field's accessible name is the label alone. */
function Label({ id, label, required }: Common) {
  return (
    <div class="label-row">
      <label for={id}>{label}</label>
      {required && (
        <span class="required" aria-hidden="true">
          *
        </span>
      )}
    </div>
  );
}

function Notes({ id, hint, error }: Common) {
  return (
    <>
      {hint && <p id={`${id}-hint`} class="hint">{hint}</p>}
      {error && <p id={`${id}-error`} class="field-error">{error}</p>}
    </>
  );
}

type InputType = 'text' | 'url' | 'email' | 'password' | 'search' | 'datetime-local' | 'number';

export function TextField(
  props: Common & {
    value: string;
    onValue: (value: string) => void;
    type?: InputType;
    autoComplete?: string;
    placeholder?: string;
    readOnly?: boolean;
    code?: boolean;
  },
) {
  const { id, value, onValue, type = 'text', autoComplete, placeholder, readOnly, code, required, error } = props;
  return (
    <div class="field">
      <Label {...props} />
      <input
        id={id}
        name={id}
        // Preact types `<input>` per `type`; one field component serves them all.
        type={type as 'text'}
        class={code ? 'mono' : undefined}
        value={value}
        required={required}
        readOnly={readOnly}
        placeholder={placeholder}
        autoComplete={autoComplete ?? 'off'}
        spellcheck={type === 'text' && !code ? undefined : false}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(props)}
        onInput={(event) => onValue(event.currentTarget.value)}
      />
      <Notes {...props} />
    </div>
  );
}

export function TextArea(props: Common & { value: string; onValue: (value: string) => void; rows?: number; placeholder?: string }) {
  const { id, value, onValue, rows = 3, placeholder, required, error } = props;
  return (
    <div class="field">
      <Label {...props} />
      <textarea
        id={id}
        name={id}
        class="mono"
        rows={rows}
        value={value}
        required={required}
        placeholder={placeholder}
        spellcheck={false}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(props)}
        onInput={(event) => onValue(event.currentTarget.value)}
      />
      <Notes {...props} />
    </div>
  );
}

export function SelectField<V extends string>(
  props: Common & { value: V; onValue: (value: V) => void; options: readonly { value: V; label: string }[] },
) {
  const { id, value, onValue, options, required, error } = props;
  return (
    <div class="field">
      <Label {...props} />
      <select
        id={id}
        name={id}
        value={value}
        required={required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(props)}
        onChange={(event) => onValue(event.currentTarget.value as V)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <Notes {...props} />
    </div>
  );
}

export function Checkbox(props: Common & { checked: boolean; onValue: (checked: boolean) => void }) {
  const { id, label, checked, onValue, error } = props;
  return (
    <div class="field check">
      <input
        id={id}
        name={id}
        type="checkbox"
        checked={checked}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(props)}
        onChange={(event) => onValue(event.currentTarget.checked)}
      />
      <label for={id}>{label}</label>
      <Notes {...props} />
    </div>
  );
}

/** Several checkboxes for one array field, e.g. grant types or groups. */
export function CheckboxGroup<V extends string>(
  props: Common & { values: readonly V[]; onValue: (values: V[]) => void; options: readonly { value: V; label: string }[] },
) {
  const { id, label, values, onValue, options, required, error } = props;
  const toggle = (value: V, on: boolean) =>
    onValue(on ? [...values, value] : values.filter((existing) => existing !== value));
  return (
    <fieldset class="field group" id={id} aria-describedby={describedBy(props)} aria-invalid={error ? 'true' : undefined}>
      <legend>
        {label}
        {required && <span class="required" aria-hidden="true"> *</span>}
      </legend>
      {options.length === 0 && <p class="hint">None yet.</p>}
      <div class="choices">
        {options.map((option, index) => (
          <span class="check" key={option.value}>
            <input
              id={`${id}-${index}`}
              type="checkbox"
              checked={values.includes(option.value)}
              onChange={(event) => toggle(option.value, event.currentTarget.checked)}
            />
            <label for={`${id}-${index}`}>{option.label}</label>
          </span>
        ))}
      </div>
      <Notes {...props} />
    </fieldset>
  );
}

/** One value per line (URIs, domains); blank lines and surrounding spaces are dropped. */
export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

/** Space- or comma-separated words (scopes). */
export function words(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** An optional text field: empty means absent. */
export function optional(text: string): string | undefined {
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed;
}
