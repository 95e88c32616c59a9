// Modal dialogs on the native <dialog> element (focus trap, Escape and the backdrop for free):
// confirming a destructive action, and showing a new secret exactly once.
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { ApiError } from '../api/client';
import { CopyField } from './copy';
import { asApiError } from './feedback';

function useModal(open: boolean) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  return dialog;
}

/**
 * A button that asks before it acts: "Delete" opens a dialog naming what goes, with the
 * action's own button and "Cancel". Errors of the action stay in the dialog.
 */
export function ConfirmButton(props: {
  label: string;
  title: string;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  danger?: boolean;
  small?: boolean;
  disabled?: boolean;
  /** The accessible name of the opening button when `label` alone is ambiguous in a table. */
  ariaLabel?: string;
  children: ComponentChildren;
}) {
  const { label, title, confirmLabel, onConfirm, danger = true, small, disabled, ariaLabel, children } = props;
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const dialog = useModal(open);
  const titleId = useId();

  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      setOpen(false);
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  };

  const classes = [danger ? 'danger' : 'secondary', small ? 'small' : ''].filter(Boolean).join(' ');
  return (
    <>
      <button type="button" class={classes} disabled={disabled} aria-label={ariaLabel} onClick={() => setOpen(true)}>
        {label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} onClose={() => setOpen(false)}>
        <h2 id={titleId}>{title}</h2>
        <div class="dialog-body">{children}</div>
        {error && error.status !== 401 && (
          <p class="field-error" role="alert">
            {error.problem.title}
            {error.problem.detail ? `: ${error.problem.detail}` : ''}
          </p>
        )}
        <div class="dialog-actions">
          <button type="button" class={danger ? 'danger' : undefined} disabled={busy} onClick={confirm}>
            {busy ? 'Working…' : confirmLabel}
          </button>
          <button type="button" class="secondary" disabled={busy} onClick={() => setOpen(false)}>
            Cancel
          </button>
        </div>
      </dialog>
    </>
  );
}

/**
 * A client secret, shown once: a warning, and a read-only field with a Copy button, or
 * `children` that show the client ID and the secret where the app takes them.
 */
export function SecretDialog(props: { title: string; clientId: string; secret: string; onDone: () => void; children?: ComponentChildren }) {
  const { title, clientId, secret, onDone, children } = props;
  const dialog = useModal(true);
  const titleId = useId();
  return (
    <dialog
      ref={dialog}
      class={children ? 'secret-dialog wide' : 'secret-dialog'}
      aria-labelledby={titleId}
      // Escape would lose the only copy of the secret: only "Done" closes this dialog.
      onCancel={(event) => event.preventDefault()}
    >
      <h2 id={titleId}>{title}</h2>
      <p class="alert warn">
        Copy the secret now. It is stored encrypted and <strong>will not be shown again</strong>.
      </p>
      {children ?? (
        <>
          <dl class="facts">
            <dt>Client ID</dt>
            <dd>
              <code>{clientId}</code>
            </dd>
          </dl>
          <CopyField id="new-client-secret" label="Client secret" value={secret} />
        </>
      )}
      <div class="dialog-actions">
        <button type="button" class="secondary" onClick={onDone}>
          Done
        </button>
      </div>
    </dialog>
  );
}
