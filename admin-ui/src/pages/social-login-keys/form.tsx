// The Social Login Key form. The client secret is write-only: the API never returns it,
// and on edit an empty field keeps the stored one.
import { useState } from 'preact/hooks';
import type { SocialLoginKey, SocialLoginKind, SocialLoginKeyInput } from '../../api/types';
import { Checkbox, lines, optional, SelectField, TextArea, TextField, words } from '../../components/fields';
import { FormProblem, useSubmit } from '../../components/feedback';
import { GroupMappingEditor, type MappingRow, mappingOf, rowsOf } from './group-mapping';
import { ENDPOINTS, type EndpointName, KIND_OPTIONS, KINDS } from './kinds';

export interface KeyValues extends Record<EndpointName, string> {
  slug: string;
  display_name: string;
  kind: SocialLoginKind;
  issuer: string;
  client_id: string;
  client_secret: string;
  scopes: string;
  enabled: boolean;
  allow_signup: boolean;
  trust_email: boolean;
  trust_mfa: boolean;
  sync_profile: boolean;
  username_claim: string;
  groups_claim: string;
  group_mapping: MappingRow[];
  /** `hub_claim=path`, one per line. */
  claim_mapping: string;
  token_endpoint_auth_method: AuthMethodChoice;
  end_upstream_session: boolean;
  email_domains: string;
  icon: string;
}

type AuthMethodChoice = '' | NonNullable<SocialLoginKeyInput['token_endpoint_auth_method']>;
const AUTH_METHOD_OPTIONS: { value: AuthMethodChoice; label: string }[] = [
  { value: '', label: 'As the provider advertises (else the preset’s)' },
  { value: 'client_secret_basic', label: 'client_secret_basic (HTTP Basic)' },
  { value: 'client_secret_post', label: 'client_secret_post (in the form body)' },
];

function claimMappingOf(text: string): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const line of lines(text)) {
    const at = line.indexOf('=');
    const claim = (at < 0 ? line : line.slice(0, at)).trim();
    if (claim) mapping[claim] = at < 0 ? '' : line.slice(at + 1).trim();
  }
  return mapping;
}

export const NEW_KEY: KeyValues = {
  slug: '',
  display_name: '',
  kind: 'oidc',
  issuer: '',
  authorization_endpoint: '',
  token_endpoint: '',
  userinfo_endpoint: '',
  jwks_uri: '',
  end_session_endpoint: '',
  client_id: '',
  client_secret: '',
  scopes: '',
  enabled: true,
  allow_signup: false,
  trust_email: false,
  trust_mfa: false,
  sync_profile: true,
  username_claim: '',
  groups_claim: '',
  group_mapping: [],
  claim_mapping: '',
  token_endpoint_auth_method: '',
  end_upstream_session: false,
  email_domains: '',
  icon: '',
};

export function valuesOf(key: SocialLoginKey): KeyValues {
  return {
    slug: key.slug,
    display_name: key.display_name,
    kind: key.kind,
    issuer: key.issuer ?? '',
    authorization_endpoint: key.authorization_endpoint ?? '',
    token_endpoint: key.token_endpoint ?? '',
    userinfo_endpoint: key.userinfo_endpoint ?? '',
    jwks_uri: key.jwks_uri ?? '',
    end_session_endpoint: key.end_session_endpoint ?? '',
    client_id: key.client_id,
    client_secret: '',
    scopes: (key.scopes ?? []).join(' '),
    enabled: key.enabled,
    allow_signup: key.allow_signup,
    trust_email: key.trust_email,
    trust_mfa: key.trust_mfa,
    sync_profile: key.sync_profile,
    username_claim: key.username_claim ?? '',
    groups_claim: key.groups_claim ?? '',
    group_mapping: rowsOf(key.group_mapping),
    claim_mapping: Object.entries(key.claim_mapping)
      .map(([claim, path]) => `${claim}=${path}`)
      .join('\n'),
    token_endpoint_auth_method: key.token_endpoint_auth_method ?? '',
    end_upstream_session: key.end_upstream_session,
    email_domains: key.email_domains.join('\n'),
    icon: key.icon ?? '',
  };
}

/** The request body: fields the kind does not use are left out, so a kind change drops them. */
export function bodyOf(values: KeyValues): SocialLoginKeyInput {
  const kind = KINDS[values.kind];
  const endpoint = (name: EndpointName) => optional(values[name]);
  return {
    display_name: values.display_name.trim(),
    kind: values.kind,
    issuer: kind.issuer === 'hidden' ? undefined : optional(values.issuer),
    authorization_endpoint: endpoint('authorization_endpoint'),
    token_endpoint: endpoint('token_endpoint'),
    userinfo_endpoint: endpoint('userinfo_endpoint'),
    jwks_uri: endpoint('jwks_uri'),
    end_session_endpoint: endpoint('end_session_endpoint'),
    client_id: values.client_id.trim(),
    client_secret: optional(values.client_secret),
    scopes: values.scopes.trim() ? words(values.scopes) : undefined,
    enabled: values.enabled,
    allow_signup: values.allow_signup,
    trust_email: values.trust_email,
    trust_mfa: values.trust_mfa,
    sync_profile: values.sync_profile,
    username_claim: optional(values.username_claim),
    groups_claim: optional(values.groups_claim),
    group_mapping: mappingOf(values.group_mapping),
    claim_mapping: claimMappingOf(values.claim_mapping),
    token_endpoint_auth_method: values.token_endpoint_auth_method || undefined,
    end_upstream_session: values.end_upstream_session,
    email_domains: lines(values.email_domains.replace(/[\s,]+/g, '\n')),
    icon: optional(values.icon),
  };
}

const FIELDS = [
  'slug',
  'display_name',
  'kind',
  'issuer',
  ...ENDPOINTS.map((endpoint) => endpoint.name),
  'client_id',
  'client_secret',
  'scopes',
  'enabled',
  'allow_signup',
  'trust_email',
  'trust_mfa',
  'sync_profile',
  'username_claim',
  'groups_claim',
  'group_mapping',
  'claim_mapping',
  'token_endpoint_auth_method',
  'end_upstream_session',
  'email_domains',
  'icon',
];

/** The first error of a field or of any of its members (`claim_mapping.email`). */
function firstError(errors: Record<string, string | undefined>, field: string): string | undefined {
  return errors[field] ?? Object.entries(errors).find(([name]) => name.startsWith(`${field}.`))?.[1];
}

export function KeyForm(props: {
  initial: KeyValues;
  /** Set on edit: whether a client secret is stored. */
  hasSecret?: boolean;
  submitLabel: string;
  onSubmit: (values: KeyValues) => Promise<void>;
}) {
  const { initial, hasSecret, submitLabel, onSubmit } = props;
  const creating = hasSecret === undefined;
  const [values, setValues] = useState(initial);
  const set =
    <K extends keyof KeyValues>(name: K) =>
    (value: KeyValues[K]) =>
      setValues((previous) => ({ ...previous, [name]: value }));
  const submit = useSubmit();
  const errors = submit.fieldErrors;
  const kind = KINDS[values.kind];


  const endpointFields = ENDPOINTS.map((endpoint) => (
    <TextField
      key={endpoint.name}
      id={endpoint.name}
      label={endpoint.label}
      type="url"
      code
      required={kind.endpoints === 'required' && endpoint.requiredForOauth2}
      value={values[endpoint.name]}
      onValue={set(endpoint.name)}
      error={errors[endpoint.name]}
    />
  ));
  const overridden = ENDPOINTS.some((endpoint) => values[endpoint.name] !== '' || errors[endpoint.name]);

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
        <legend>Provider</legend>
        <SelectField id="kind" label="Kind" required value={values.kind} onValue={set('kind')} options={KIND_OPTIONS} error={errors.kind} />
        <TextField id="display_name" label="Display name" required value={values.display_name} onValue={set('display_name')} hint="Shown on the sign-in button: “Continue with …”." error={errors.display_name} />
        {creating && (
          <TextField id="slug" label="Slug" required code value={values.slug} onValue={set('slug')} hint="Lowercase letters, digits, - and _; it names the key in URLs and in idp_hint, and cannot be changed later." error={errors.slug} />
        )}
        {kind.issuer !== 'hidden' && (
          <TextField id="issuer" label="Issuer" type="url" code required={kind.issuer === 'required'} value={values.issuer} onValue={set('issuer')} hint={kind.issuerHint} error={errors.issuer} />
        )}
        {kind.endpoints === 'required' ? (
          endpointFields
        ) : (
          <details class="advanced" open={overridden}>
            <summary>Endpoints (optional overrides)</summary>
            <p class="hint">{values.kind === 'google' || values.kind === 'github' ? 'The preset knows them.' : 'Discovered from the issuer unless set here.'}</p>
            {endpointFields}
          </details>
        )}
      </fieldset>
      <fieldset>
        <legend>Credentials at the provider</legend>
        <TextField id="client_id" label="Client ID" required code value={values.client_id} onValue={set('client_id')} error={errors.client_id} />
        <TextField
          id="client_secret"
          label="Client secret"
          type="password"
          autoComplete="new-password"
          value={values.client_secret}
          onValue={set('client_secret')}
          hint={creating ? 'Stored encrypted; it is never shown again.' : hasSecret ? 'A secret is stored. Leave empty to keep it; type a new one to replace it.' : 'No secret is stored.'}
          error={errors.client_secret}
        />
        <TextField
          id="scopes"
          label="Scopes"
          code
          value={values.scopes}
          onValue={set('scopes')}
          placeholder={kind.defaultScopes}
          hint={kind.defaultScopes ? `Separated by spaces; empty: ${kind.defaultScopes}.` : 'Separated by spaces.'}
          error={errors.scopes}
        />
        <SelectField
          id="token_endpoint_auth_method"
          label="Client authentication"
          value={values.token_endpoint_auth_method}
          onValue={set('token_endpoint_auth_method')}
          options={AUTH_METHOD_OPTIONS}
          error={errors.token_endpoint_auth_method}
        />
      </fieldset>
      <fieldset>
        <legend>Accounts</legend>
        <Checkbox id="enabled" label="Enabled (shown on the sign-in page)" checked={values.enabled} onValue={set('enabled')} error={errors.enabled} />
        <Checkbox id="allow_signup" label="Create a hub user on first sign-in" checked={values.allow_signup} onValue={set('allow_signup')} error={errors.allow_signup} />
        <Checkbox
          id="trust_email"
          label="Trust verified e-mail addresses (link to an existing hub user with the same address)"
          checked={values.trust_email}
          onValue={set('trust_email')}
          hint="Only for providers that verify e-mail addresses and that you trust with your users’ accounts."
          error={errors.trust_email}
        />
        <Checkbox
          id="trust_mfa"
          label="Trust its second factor (its amr or acr saying mfa, otp, hwk … counts as the hub’s)"
          checked={values.trust_mfa}
          onValue={set('trust_mfa')}
          hint="Off: clients and groups that require a second factor still ask for the hub’s own after this provider."
          error={errors.trust_mfa}
        />
        <Checkbox id="sync_profile" label="Update the user’s profile and groups on every sign-in" checked={values.sync_profile} onValue={set('sync_profile')} error={errors.sync_profile} />
        <TextField
          id="username_claim"
          label="Username claim"
          code
          value={values.username_claim}
          onValue={set('username_claim')}
          placeholder={kind.defaultUsernameClaim}
          hint={`The claim that becomes the hub username of a new user; empty: ${kind.defaultUsernameClaim}.`}
          error={errors.username_claim}
        />
        <TextArea
          id="claim_mapping"
          label="Claim mapping"
          rows={2}
          value={values.claim_mapping}
          onValue={set('claim_mapping')}
          placeholder="email=mail"
          hint="One per line, hub claim=path in the provider’s claims (sub, name, given_name, family_name, email, email_verified, picture, locale); empty: the preset’s."
          error={firstError(errors, 'claim_mapping')}
        />
        <Checkbox
          id="end_upstream_session"
          label="Signing out of the hub also signs out at the provider"
          checked={values.end_upstream_session}
          onValue={set('end_upstream_session')}
          hint="Register the key’s post-logout redirect URI at the provider."
          error={errors.end_upstream_session}
        />
        <TextArea id="email_domains" label="E-mail domains" rows={2} value={values.email_domains} onValue={set('email_domains')} placeholder="example.com" hint="One per line: users whose login hint has one of these domains go straight to this provider." error={errors.email_domains} />
      </fieldset>
      <fieldset>
        <legend>Groups</legend>
        <TextField id="groups_claim" label="Groups claim" code value={values.groups_claim} onValue={set('groups_claim')} hint="Where the provider lists the user’s groups, as a dotted path: groups, realm_access.roles." error={errors.groups_claim} />
        <GroupMappingEditor rows={values.group_mapping} onRows={set('group_mapping')} error={errors.group_mapping} />
      </fieldset>
      <fieldset>
        <legend>Appearance</legend>
        <TextField id="icon" label="Icon URL" type="url" code value={values.icon} onValue={set('icon')} hint="Optional: an image shown on the sign-in button." error={errors.icon} />
      </fieldset>
      <div class="form-actions">
        <button type="submit" disabled={submit.busy}>
          {submit.busy ? 'Saving…' : submitLabel}
        </button>
      </div>
    </form>
  );
}
