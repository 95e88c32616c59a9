// What the client form edits, apart from the form itself, so that the stacks (which fill
// it in) and the form can both depend on it.
import type { AuthMethod, ClientInput, GrantType, IdTokenAlg, SubjectType } from '../../api/types';

/** Registration metadata the form does not edit: kept as it is on every save, so editing
 * a dynamically registered client never drops its keys, links or signing choices. */
export type KeptMetadata = Pick<
  ClientInput,
  | 'application_type'
  | 'userinfo_signed_response_alg'
  | 'id_token_encrypted_response_alg'
  | 'id_token_encrypted_response_enc'
  | 'userinfo_encrypted_response_alg'
  | 'userinfo_encrypted_response_enc'
  | 'jwks'
  | 'jwks_uri'
  | 'request_object_signing_alg'
  | 'request_uris'
  | 'require_pushed_authorization_requests'
  | 'default_max_age'
  | 'require_auth_time'
  | 'backchannel_logout_session_required'
  | 'logo_uri'
  | 'client_uri'
  | 'policy_uri'
  | 'tos_uri'
  | 'initiate_login_uri'
  | 'contacts'
  | 'response_types'
>;

export interface ClientValues {
  client_id: string;
  client_name: string;
  redirect_uris: string;
  post_logout_redirect_uris: string;
  grant_types: GrantType[];
  token_endpoint_auth_method: AuthMethod;
  id_token_signed_response_alg: IdTokenAlg;
  scope: string;
  skip_authorization: boolean;
  require_second_factor: boolean;
  /** Group names separated by spaces; empty: everyone. */
  allowed_groups: string;
  backchannel_logout_uri: string;
  backchannel_logout_claims: string;
  subject_type: SubjectType;
  sector_identifier_uri: string;
  allowed_social_login_keys: string[];
  default_social_login_key: string;
  kept: KeptMetadata;
}
