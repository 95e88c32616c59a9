// What the sign-in keeps in sessionStorage: it lives as long as the browser tab, and
// never in localStorage, so closing the tab forgets the tokens.

const PREFIX = 'hub-admin.';

/** Started at the authorization request, consumed at the callback. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  /** The hash route to return to after signing in, e.g. `#/clients`. */
  returnTo: string;
}

export interface Tokens {
  accessToken: string;
  idToken?: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  obtainedAt: number;
}

function read<T>(key: string): T | undefined {
  const raw = sessionStorage.getItem(PREFIX + key);
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}

function write(key: string, value: unknown): void {
  sessionStorage.setItem(PREFIX + key, JSON.stringify(value));
}

function remove(key: string): void {
  sessionStorage.removeItem(PREFIX + key);
}

export const store = {
  pending: () => read<PendingSignIn>('pending'),
  setPending: (value: PendingSignIn) => write('pending', value),
  takePending(): PendingSignIn | undefined {
    const value = read<PendingSignIn>('pending');
    remove('pending');
    return value;
  },
  tokens: () => read<Tokens>('tokens'),
  setTokens: (value: Tokens) => write('tokens', value),
  clearTokens: () => remove('tokens'),
  /** Set on the way to the hub's sign-out page, so the return shows "signed out". */
  markSignedOut: () => write('signed_out', true),
  takeSignedOut(): boolean {
    const value = read<boolean>('signed_out') === true;
    remove('signed_out');
    return value;
  },
  clearAll(): void {
    for (const key of ['pending', 'tokens', 'signed_out']) remove(key);
  },
};
