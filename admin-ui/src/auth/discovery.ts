// The hub's OpenID Provider metadata (OpenID Connect Discovery 1.0), fetched once per page.
import { discoveryUrl } from './config';

export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  userinfo_endpoint?: string;
  jwks_uri?: string;
  end_session_endpoint?: string;
  authorization_response_iss_parameter_supported?: boolean;
}

let cached: Promise<ProviderMetadata> | undefined;

export function discover(): Promise<ProviderMetadata> {
  cached ??= load().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

async function load(): Promise<ProviderMetadata> {
  const response = await fetch(discoveryUrl, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`The hub's discovery document answered ${response.status}.`);
  const metadata = (await response.json()) as Partial<ProviderMetadata>;
  const { issuer, authorization_endpoint, token_endpoint } = metadata;
  if (!issuer || !authorization_endpoint || !token_endpoint) {
    throw new Error("The hub's discovery document lacks the issuer or its endpoints.");
  }
  return { ...metadata, issuer, authorization_endpoint, token_endpoint };
}
