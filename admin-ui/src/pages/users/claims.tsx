// The OpenID Connect Core §5.1 claims of the user form: profile, phone and address,
// each released to apps by its scope. The hub checks every value; its problems come
// back under the claim's name (`birthdate`, `address.locality`).
import type { ApiError } from '../../api/client';
import type { Address, User } from '../../api/types';
import { Checkbox, optional, TextArea, TextField } from '../../components/fields';

const TEXT_CLAIMS = [
  'given_name',
  'middle_name',
  'family_name',
  'nickname',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'profile',
  'picture',
  'website',
  'phone_number',
] as const;
const ADDRESS_PARTS = ['formatted', 'street_address', 'locality', 'region', 'postal_code', 'country'] as const;

type TextClaim = (typeof TEXT_CLAIMS)[number];
type AddressPart = (typeof ADDRESS_PARTS)[number];

export type ClaimValues = Record<TextClaim, string> & { phone_number_verified: boolean; address: Record<AddressPart, string> };

/** The fields a problem may name, as `ApiError.fieldErrors` keys them (`address.locality` is `address`). */
export const CLAIM_FIELDS: string[] = [...TEXT_CLAIMS, 'phone_number_verified', 'address'];

/** Messages per part of the address (`address.locality` → `locality`), which `fieldErrors` merges. */
function addressErrors(error: ApiError | undefined): Partial<Record<AddressPart, string>> {
  const byPart: Partial<Record<AddressPart, string>> = {};
  for (const { field, detail } of error?.problem.errors ?? []) {
    const part = ADDRESS_PARTS.find((name) => field === `address.${name}`);
    if (part) byPart[part] = byPart[part] ? `${byPart[part]}\n${detail}` : detail;
  }
  return byPart;
}

function each<K extends string>(keys: readonly K[], value: (key: K) => string): Record<K, string> {
  return Object.fromEntries(keys.map((key) => [key, value(key)])) as Record<K, string>;
}

export const NO_CLAIMS: ClaimValues = { ...each(TEXT_CLAIMS, () => ''), phone_number_verified: false, address: each(ADDRESS_PARTS, () => '') };

export function claimValuesOf(user: User): ClaimValues {
  return {
    ...each(TEXT_CLAIMS, (claim) => user[claim] ?? ''),
    phone_number_verified: user.phone_number_verified ?? false,
    address: each(ADDRESS_PARTS, (part) => user.address?.[part] ?? ''),
  };
}

/** The claims as the API takes them: empty fields left out, no address without a part. */
export function claimsBodyOf(values: ClaimValues) {
  const texts: Partial<Record<TextClaim, string>> = {};
  for (const claim of TEXT_CLAIMS) texts[claim] = optional(values[claim]);
  const address: Address = {};
  for (const part of ADDRESS_PARTS) address[part] = optional(values.address[part]);
  const hasAddress = ADDRESS_PARTS.some((part) => address[part] !== undefined);
  return { ...texts, phone_number_verified: values.phone_number_verified, address: hasAddress ? address : undefined };
}

interface Props {
  values: ClaimValues;
  onValues: (values: ClaimValues) => void;
  /** The last submission's problem, if any. */
  error: ApiError | undefined;
}

export function ClaimFields({ values, onValues, error }: Props) {
  const errors: Record<string, string | undefined> = error?.fieldErrors() ?? {};
  const partErrors = addressErrors(error);
  const text = (claim: TextClaim, label: string, hint?: string, type: 'text' | 'url' = 'text') => (
    <TextField id={claim} label={label} type={type} value={values[claim]} onValue={(value) => onValues({ ...values, [claim]: value })} hint={hint} error={errors[claim]} />
  );
  const part = (name: AddressPart, label: string, multiline = false) => {
    const common = {
      id: `address-${name}`,
      label,
      value: values.address[name],
      onValue: (value: string) => onValues({ ...values, address: { ...values.address, [name]: value } }),
      error: partErrors[name],
    };
    return multiline ? <TextArea {...common} rows={3} /> : <TextField {...common} />;
  };
  return (
    <>
      <fieldset>
        <legend>Profile claims</legend>
        <p class="hint">Released to apps granted the profile scope.</p>
        {text('given_name', 'Given name')}
        {text('middle_name', 'Middle name')}
        {text('family_name', 'Family name')}
        {text('nickname', 'Nickname')}
        {text('gender', 'Gender', 'female, male, or another value.')}
        {text('birthdate', 'Birthdate', 'YYYY-MM-DD, the year alone (YYYY), or 0000-MM-DD to withhold the year.')}
        {text('zoneinfo', 'Time zone', 'A tz database name such as Europe/Paris, or UTC.')}
        {text('locale', 'Locale', 'A language tag such as en or fr-CA.')}
        {text('profile', 'Profile page URL', undefined, 'url')}
        {text('picture', 'Picture URL', undefined, 'url')}
        {text('website', 'Website URL', undefined, 'url')}
      </fieldset>
      <fieldset>
        <legend>Phone</legend>
        {text('phone_number', 'Phone number', 'International form, such as +1 (425) 555-1212; an extension as ;ext=5678. Released with the phone scope.')}
        <Checkbox
          id="phone_number_verified"
          label="Phone number verified"
          checked={values.phone_number_verified}
          onValue={(checked) => onValues({ ...values, phone_number_verified: checked })}
          error={errors.phone_number_verified}
        />
      </fieldset>
      <fieldset>
        <legend>Address</legend>
        <p class="hint">Released with the address scope.</p>
        {part('formatted', 'Formatted address', true)}
        {part('street_address', 'Street address', true)}
        {part('locality', 'City or locality')}
        {part('region', 'Region')}
        {part('postal_code', 'Postal code')}
        {part('country', 'Country')}
      </fieldset>
    </>
  );
}
