// The user form. The password is write-only: set on creation or with "Set password".
import { useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client';
import type { User, UserUpdate } from '../../api/types';
import { Checkbox, CheckboxGroup, optional, TextField } from '../../components/fields';
import { FormProblem, useLoad, useSubmit } from '../../components/feedback';
import { CLAIM_FIELDS, ClaimFields, claimsBodyOf, claimValuesOf, NO_CLAIMS, type ClaimValues } from './claims';

export interface UserValues {
  username: string;
  name: string;
  email: string;
  email_verified: boolean;
  groups: string[];
  disabled: boolean;
  password: string;
  claims: ClaimValues;
}

export const NEW_USER: UserValues = { username: '', name: '', email: '', email_verified: false, groups: [], disabled: false, password: '', claims: NO_CLAIMS };

export function valuesOf(user: User): UserValues {
  return {
    username: user.username,
    name: user.name ?? '',
    email: user.email ?? '',
    email_verified: user.email_verified,
    groups: [...user.groups],
    disabled: user.disabled,
    password: '',
    claims: claimValuesOf(user),
  };
}

export function bodyOf(values: UserValues): UserUpdate {
  return {
    username: values.username.trim(),
    name: optional(values.name),
    email: optional(values.email),
    email_verified: values.email_verified,
    ...claimsBodyOf(values.claims),
    groups: values.groups,
    disabled: values.disabled,
  };
}

const FIELDS = ['username', 'name', 'email', 'email_verified', 'groups', 'disabled', 'password', ...CLAIM_FIELDS];

/** Every group, for the membership checkboxes (the API's largest page). */
export function useGroupNames() {
  const groups = useLoad(() => unwrap(api.GET('/groups', { params: { query: { limit: 200 } } })), []);
  return (groups.data?.items ?? []).map((group) => group.name);
}

export function UserForm(props: { initial: UserValues; creating: boolean; submitLabel: string; onSubmit: (values: UserValues) => Promise<void> }) {
  const { initial, creating, submitLabel, onSubmit } = props;
  const [values, setValues] = useState(initial);
  const set =
    <K extends keyof UserValues>(name: K) =>
    (value: UserValues[K]) =>
      setValues((previous) => ({ ...previous, [name]: value }));
  const submit = useSubmit();
  const errors = submit.fieldErrors;
  const names = useGroupNames();
  // Keep memberships in groups the list did not return (more than 200 groups) selectable.
  const options = [...new Set([...names, ...values.groups])].sort().map((name) => ({ value: name, label: name }));

  return (
    <form
      class="form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit.run(() => onSubmit(values));
      }}
    >
      <FormProblem error={submit.error} fields={FIELDS} />
      <fieldset>
        <legend>Account</legend>
        <TextField id="username" label="Username" required code value={values.username} onValue={set('username')} error={errors.username} />
        <TextField id="name" label="Full name" autoComplete="off" value={values.name} onValue={set('name')} error={errors.name} />
        <TextField id="email" label="E-mail" type="email" value={values.email} onValue={set('email')} error={errors.email} />
        <Checkbox id="email_verified" label="E-mail address verified" checked={values.email_verified} onValue={set('email_verified')} error={errors.email_verified} />
        {creating && (
          <TextField
            id="password"
            label="Password"
            type="password"
            autoComplete="new-password"
            value={values.password}
            onValue={set('password')}
            hint="Optional: without one, the user signs in through a social login key only."
            error={errors.password}
          />
        )}
        <Checkbox id="disabled" label="Disabled (cannot sign in)" checked={values.disabled} onValue={set('disabled')} error={errors.disabled} />
      </fieldset>
      <ClaimFields values={values.claims} onValues={set('claims')} error={submit.error} />
      <fieldset>
        <legend>Membership</legend>
        <CheckboxGroup id="groups" label="Groups" values={values.groups} onValue={set('groups')} options={options} hint="Members of admins may use this admin UI." error={errors.groups} />
      </fieldset>
      <div class="form-actions">
        <button type="submit" disabled={submit.busy}>
          {submit.busy ? 'Saving…' : submitLabel}
        </button>
      </div>
    </form>
  );
}

/** "Set password": replaces the user's password (204). */
export function PasswordForm({ userId, hasPassword, onDone }: { userId: string; hasPassword: boolean; onDone: () => void }) {
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const submit = useSubmit();
  return (
    <form
      class="form compact"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setDone(false);
        void submit.run(async () => {
          await unwrap(api.PUT('/users/{id}/password', { params: { path: { id: userId } }, body: { password } }));
          setPassword('');
          setDone(true);
          onDone();
        });
      }}
    >
      <FormProblem error={submit.error} fields={['password']} />
      <TextField
        id="new-password"
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        value={password}
        onValue={setPassword}
        hint={hasPassword ? 'Replaces the current password.' : 'The user has no password yet.'}
        error={submit.fieldErrors.password}
      />
      <div class="form-actions">
        <button type="submit" class="secondary" disabled={submit.busy || password === ''}>
          {submit.busy ? 'Saving…' : 'Set password'}
        </button>
        {done && (
          <span class="saved" role="status">
            Password set.
          </span>
        )}
      </div>
    </form>
  );
}
