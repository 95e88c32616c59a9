// The "Stack" choice of a new client: a stack fills in the settings its guide registers,
// and the app's base URL, typed once, its URIs. Every field stays editable afterwards, and
// "Other OIDC client" (the default) leaves the URIs to the administrator.
import { useState } from 'preact/hooks';
import { SelectField, TextField } from '../../components/fields';
import type { ClientValues } from './values';
import { STACK_OPTIONS, STACKS, type StackId, urisOf } from './stacks';

export function StackPicker({ onStack, onFill }: { onStack: (stack: StackId) => void; onFill: (values: Partial<ClientValues>) => void }) {
  const [stack, setStack] = useState<StackId>('other');
  const [base, setBase] = useState('');
  const [choice, setChoice] = useState('');
  const info = STACKS[stack];

  const pick = (next: StackId) => {
    const chosen = STACKS[next];
    const firstChoice = chosen.option?.choices[0]?.value ?? '';
    setStack(next);
    setChoice(firstChoice);
    onStack(next);
    onFill({ ...chosen.preset, ...chosen.option?.values(firstChoice), ...urisOf(chosen, base) });
  };

  return (
    <fieldset>
      <legend>Your app</legend>
      <SelectField
        id="stack"
        label="Stack"
        value={stack}
        onValue={pick}
        options={STACK_OPTIONS}
        hint="Fills in what the stack’s guide registers. The hub does not store it; this browser remembers it for the client’s “Configure your app” panel."
      />
      {info.uris && (
        <TextField
          id="app_url"
          label={info.uris.label}
          type="url"
          code
          value={base}
          onValue={(value) => {
            setBase(value);
            onFill(urisOf(info, value));
          }}
          placeholder="https://app.example.com"
          hint={info.uris.hint}
        />
      )}
      {info.option && (
        <SelectField
          id="stack_option"
          label={info.option.label}
          value={choice}
          onValue={(value) => {
            setChoice(value);
            onFill(info.option?.values(value) ?? {});
          }}
          options={info.option.choices}
          hint={info.option.hint}
        />
      )}
    </fieldset>
  );
}
