// Names for the generated schema types the pages use. The generated file is the truth;
// when the OpenAPI document renames a schema, only this file changes.
import type { components } from './schema';

type Schemas = components['schemas'];

export type Problem = Schemas['Problem'];
export type Me = Schemas['Me'];

export type Client = Schemas['Client'];
export type ClientCreate = Schemas['ClientCreate'];
export type ClientInput = Schemas['ClientInput'];
export type GrantType = Schemas['GrantType'];
export type AuthMethod = Schemas['TokenEndpointAuthMethod'];
export type IdTokenAlg = Schemas['SigningAlg'];
export type SubjectType = Schemas['SubjectType'];

export type SocialLoginKey = Schemas['SocialLoginKey'];
export type SocialLoginKeyCreate = Schemas['SocialLoginKeyCreate'];
export type SocialLoginKeyInput = Schemas['SocialLoginKeyInput'];
export type SocialLoginKind = Schemas['SocialLoginKeyKind'];
export type SocialLoginKeyTest = Schemas['SocialLoginKeyTest'];

export type User = Schemas['User'];
export type UserCreate = Schemas['UserCreate'];
export type UserUpdate = Schemas['UserUpdate'];
export type Address = Schemas['Address'];

export type Group = Schemas['Group'];
export type SigningKey = Schemas['SigningKey'];
export type SigningKeyState = Schemas['SigningKeyState'];
export type Session = Schemas['Session'];
export type Consent = Schemas['Consent'];
export type AuditEvent = Schemas['AuditEvent'];
export type Outcome = Schemas['Outcome'];
