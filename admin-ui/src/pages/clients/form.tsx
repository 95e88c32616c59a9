// The client form, shared by "New client" and a client's page. Field ids are the API's
// field names, so a problem's `errors[].field` lands next to its input.
import { api, unwrap } from '../../api/client';
import type { AuthMethod, Client, GrantType, IdTokenAlg, ClientInput, SubjectType } from '../../api/types';
import { Checkbox, CheckboxGroup, lines, optional, SelectField, TextArea, TextField, words } from '../../components/fields';
import { FormProblem, useLoad, useSubmit } from '../../components/feedback';
import { useState } from 'preact/hooks';
import { StackPicker } from './stack-picker';
import type { StackId } from './stacks';
import type { ClientValues } from './values';

export type { ClientValues } from './values';

export const NEW_CLIENT: ClientValues = {
  client_id: '',
  client_name: '',
  redirect_uris: '',
  post_logout_redirect_uris: '',
  grant_types: ['authorization_code', 'refresh_token'],
  token_endpoint_auth_method: 'client_secret_basic',
  id_token_signed_response_alg: 'RS256',
  scope: '',
  skip_authorization: false,
  require_second_factor: false,
  allowed_groups: '',
  backchannel_logout_uri: '',
  backchannel_logout_claims: '',
  subject_type: 'public',
  sector_identifier_uri: '',
  allowed_social_login_keys: [],
  default_social_login_key: '',
  kept: {
    application_type: 'web',
    require_auth_time: false,
    backchannel_logout_session_required: false,
    contacts: [],
    request_uris: [],
    require_pushed_authorization_requests: false,
    response_types: ['code'],
  },
};

export function valuesOf(client: Client): ClientValues {
  return {
    client_id: client.client_id,
    client_name: client.client_name,
    redirect_uris: client.redirect_uris.join('\n'),
    post_logout_redirect_uris: client.post_logout_redirect_uris.join('\n'),
    grant_types: [...client.grant_types],
    token_endpoint_auth_method: client.token_endpoint_auth_method,
    id_token_signed_response_alg: client.id_token_signed_response_alg,
    scope: client.scope ?? '',
    skip_authorization: client.skip_authorization,
    require_second_factor: client.require_second_factor,
    allowed_groups: client.allowed_groups.join(' '),
    backchannel_logout_uri: client.backchannel_logout_uri ?? '',
    backchannel_logout_claims: client.backchannel_logout_claims.join(' '),
    subject_type: client.subject_type,
    sector_identifier_uri: client.sector_identifier_uri ?? '',
    allowed_social_login_keys: [...client.allowed_social_login_keys],
    default_social_login_key: client.default_social_login_key ?? '',
    kept: {
      application_type: client.application_type,
      userinfo_signed_response_alg: client.userinfo_signed_response_alg,
      id_token_encrypted_response_alg: client.id_token_encrypted_response_alg,
      id_token_encrypted_response_enc: client.id_token_encrypted_response_enc,
      userinfo_encrypted_response_alg: client.userinfo_encrypted_response_alg,
      userinfo_encrypted_response_enc: client.userinfo_encrypted_response_enc,
      jwks: client.jwks,
      jwks_uri: client.jwks_uri,
      request_object_signing_alg: client.request_object_signing_alg,
      request_uris: client.request_uris,
      require_pushed_authorization_requests: client.require_pushed_authorization_requests,
      response_types: [...client.response_types],
      default_max_age: client.default_max_age,
      require_auth_time: client.require_auth_time,
      backchannel_logout_session_required: client.backchannel_logout_session_required,
      logo_uri: client.logo_uri,
      client_uri: client.client_uri,
      policy_uri: client.policy_uri,
      tos_uri: client.tos_uri,
      initiate_login_uri: client.initiate_login_uri,
      contacts: client.contacts,
    },
  };
}

/** The request body. The response types the client registered stay as they are (the form
 * does not edit them) while they fit the grant types; without the code flow, the ones with
 * `code` go, and with it and none left, `code` is the one. */
export function bodyOf(values: ClientValues): ClientInput {
  return {
    ...values.kept,
    client_name: values.client_name.trim(),
    redirect_uris: lines(values.redirect_uris),
    post_logout_redirect_uris: lines(values.post_logout_redirect_uris),
    grant_types: values.grant_types,
    response_types: responseTypesFor(values),
    token_endpoint_auth_method: values.token_endpoint_auth_method,
    id_token_signed_response_alg: values.id_token_signed_response_alg,
    scope: optional(words(values.scope).join(' ')),
    skip_authorization: values.skip_authorization,
    require_second_factor: values.require_second_factor,
    allowed_groups: words(values.allowed_groups),
    backchannel_logout_uri: optional(values.backchannel_logout_uri),
    backchannel_logout_claims: words(values.backchannel_logout_claims),
    subject_type: values.subject_type,
    sector_identifier_uri: optional(values.sector_identifier_uri),
    allowed_social_login_keys: values.allowed_social_login_keys,
    default_social_login_key: optional(values.default_social_login_key),
  };
}

function responseTypesFor(values: ClientValues): ClientInput['response_types'] {
  const withCode = (type: string) => type.split(' ').includes('code');
  if (!values.grant_types.includes('authorization_code')) return values.kept.response_types.filter((t) => !withCode(t));
  const kept = values.kept.response_types;
  return kept.some(withCode) ? kept : ['code', ...kept];
}

const GRANT_TYPES: { value: GrantType; label: string }[] = [
  { value: 'authorization_code', label: 'Authorization code' },
  { value: 'refresh_token', label: 'Refresh token' },
  { value: 'client_credentials', label: 'Client credentials' },
  { value: 'urn:ietf:params:oauth:grant-type:device_code', label: 'Device code (CLIs and TVs, RFC 8628)' },
];

const AUTH_METHODS: { value: AuthMethod; label: string }[] = [
  { value: 'client_secret_basic', label: 'Confidential: secret in HTTP Basic (client_secret_basic)' },
  { value: 'client_secret_post', label: 'Confidential: secret in the form (client_secret_post)' },
  { value: 'client_secret_jwt', label: 'Confidential: assertion signed with the secret (client_secret_jwt)' },
  { value: 'private_key_jwt', label: 'Confidential: assertion signed with its own key (private_key_jwt)' },
  { value: 'none', label: 'Public: no secret, PKCE required (none)' },
];

const ID_TOKEN_ALGS: { value: IdTokenAlg; label: string }[] = [
  { value: 'RS256', label: 'RS256 (the hub’s published keys)' },
  { value: 'PS256', label: 'PS256' },
  { value: 'ES256', label: 'ES256' },
  { value: 'EdDSA', label: 'EdDSA (Ed25519)' },
  { value: 'HS256', label: 'HS256 (keyed with the client secret)' },
];

const SUBJECT_TYPES: { value: SubjectType; label: string }[] = [
  { value: 'public', label: 'Public: the hub’s user id, the same at every app' },
  { value: 'pairwise', label: 'Pairwise: an id of its own for this app’s sector' },
];

const FIELDS = [
  'client_id',
  'client_name',
  'redirect_uris',
  'post_logout_redirect_uris',
  'grant_types',
  'token_endpoint_auth_method',
  'id_token_signed_response_alg',
  'scope',
  'skip_authorization',
  'require_second_factor',
  'allowed_groups',
  'backchannel_logout_uri',
  'subject_type',
  'sector_identifier_uri',
  'allowed_social_login_keys',
  'default_social_login_key',
] as const;

export function ClientForm(props: {
  initial: ClientValues;
  creating: boolean;
  submitLabel: string;
  onSubmit: (values: ClientValues) => Promise<void>;
  /** With it, the form starts with the "Stack" choice, which fills in the fields below. */
  onStack?: (stack: StackId) => void;
}) {
  const { initial, creating, submitLabel, onSubmit, onStack } = props;
  const [values, setValues] = useState(initial);
  const set =
    <K extends keyof ClientValues>(key: K) =>
    (value: ClientValues[K]) =>
      setValues((previous) => ({ ...previous, [key]: value }));
  const submit = useSubmit();
  const errors = submit.fieldErrors;
  const keys = useLoad(() => unwrap(api.GET('/social-login-keys', { params: { query: { limit: 200 } } })), []);
  const slugs = (keys.data?.items ?? []).map((key) => ({ value: key.slug, label: `${key.display_name} (${key.slug})` }));
  const codeFlow = values.grant_types.includes('authorization_code');

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
      {onStack && <StackPicker onStack={onStack} onFill={(filled) => setValues((previous) => ({ ...previous, ...filled }))} />}
      <fieldset>
        <legend>Application</legend>
        <TextField id="client_name" label="Client name" required value={values.client_name} onValue={set('client_name')} error={errors.client_name} />
        {creating && (
          <TextField
            id="client_id"
            label="Client ID"
            code
            value={values.client_id}
            onValue={set('client_id')}
            hint="Leave empty to have one generated."
            error={errors.client_id}
          />
        )}
        <SelectField
          id="token_endpoint_auth_method"
          label="Client type"
          value={values.token_endpoint_auth_method}
          onValue={set('token_endpoint_auth_method')}
          options={AUTH_METHODS}
          hint="Apps with a server side are confidential; single-page and mobile apps are public."
          error={errors.token_endpoint_auth_method}
        />
        <CheckboxGroup id="grant_types" label="Grant types" required values={values.grant_types} onValue={set('grant_types')} options={GRANT_TYPES} error={errors.grant_types} />
        <TextField
          id="scope"
          label="Scope"
          code
          value={values.scope}
          onValue={set('scope')}
          placeholder="openid profile email"
          hint="The scopes the client may ask for, separated by spaces; empty: the standard OpenID scopes."
          error={errors.scope}
        />
      </fieldset>
      <fieldset>
        <legend>Sign-in and sign-out</legend>
        <TextArea
          id="redirect_uris"
          label="Redirect URIs"
          required={codeFlow}
          value={values.redirect_uris}
          onValue={set('redirect_uris')}
          placeholder="https://app.example.com/callback"
          hint="One per line, matched exactly."
          error={errors.redirect_uris}
        />
        <TextArea
          id="post_logout_redirect_uris"
          label="Post-logout redirect URIs"
          value={values.post_logout_redirect_uris}
          onValue={set('post_logout_redirect_uris')}
          hint="One per line: where the hub may send the user after signing out."
          error={errors.post_logout_redirect_uris}
        />
        <TextField
          id="backchannel_logout_uri"
          label="Back-channel logout URI"
          type="url"
          code
          value={values.backchannel_logout_uri}
          onValue={set('backchannel_logout_uri')}
          hint="Optional: the hub posts a logout token here when a user's session ends."
          error={errors.backchannel_logout_uri}
        />
        <TextField
          id="backchannel_logout_claims"
          label="User claims in logout tokens"
          code
          value={values.backchannel_logout_claims}
          onValue={set('backchannel_logout_claims')}
          placeholder="preferred_username"
          hint="Optional, separated by spaces: claims besides sub that logout tokens carry, for an app that finds the user by one of them (EspoCRM's username claim)."
          error={errors.backchannel_logout_claims}
        />
        <Checkbox
          id="skip_authorization"
          label="Skip the consent page (a first-party app)"
          checked={values.skip_authorization}
          onValue={set('skip_authorization')}
          error={errors.skip_authorization}
        />
        <Checkbox
          id="require_second_factor"
          label="Require a second factor (a password alone never signs in)"
          checked={values.require_second_factor}
          onValue={set('require_second_factor')}
          error={errors.require_second_factor}
        />
        <TextField
          id="allowed_groups"
          label="Allowed groups"
          code
          value={values.allowed_groups}
          onValue={set('allowed_groups')}
          placeholder="staff ops"
          hint="Optional, separated by spaces: only members of these groups may use this client; empty: everyone."
          error={errors.allowed_groups}
        />
        <SelectField
          id="id_token_signed_response_alg"
          label="ID token signature"
          value={values.id_token_signed_response_alg}
          onValue={set('id_token_signed_response_alg')}
          options={ID_TOKEN_ALGS}
          error={errors.id_token_signed_response_alg}
        />
        <SelectField
          id="subject_type"
          label="Subject identifiers"
          value={values.subject_type}
          onValue={set('subject_type')}
          options={SUBJECT_TYPES}
          hint="Pairwise: apps of different sectors (hosts) cannot match users by their sub. Changing the sector changes every user's sub."
          error={errors.subject_type}
        />
        {values.subject_type === 'pairwise' && (
          <TextField
            id="sector_identifier_uri"
            label="Sector identifier URI"
            type="url"
            code
            value={values.sector_identifier_uri}
            onValue={set('sector_identifier_uri')}
            hint="Optional: a JSON array of every redirect URI of the sector; needed when the redirect URIs are on several hosts."
            error={errors.sector_identifier_uri}
          />
        )}
      </fieldset>
      <fieldset>
        <legend>Social login</legend>
        <CheckboxGroup
          id="allowed_social_login_keys"
          label="Allowed social login keys"
          values={values.allowed_social_login_keys}
          onValue={set('allowed_social_login_keys')}
          options={slugs}
          hint="The upstream providers this client's users may sign in with; none checked: every enabled one."
          error={errors.allowed_social_login_keys}
        />
        <SelectField
          id="default_social_login_key"
          label="Default social login key"
          value={values.default_social_login_key}
          onValue={set('default_social_login_key')}
          options={[{ value: '', label: '(none: show the hub’s sign-in page)' }, ...slugs]}
          hint="Send this client's users straight to this provider."
          error={errors.default_social_login_key}
        />
      </fieldset>
      <div class="form-actions">
        <button type="submit" disabled={submit.busy}>
          {submit.busy ? 'Saving…' : submitLabel}
        </button>
      </div>
    </form>
  );
}
