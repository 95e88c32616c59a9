// The hub's passkey forms (WebAuthn). Served from the hub itself, as the pages' CSP
// allows no other script. A form marked data-passkey="create" (registration) or "get"
// (sign-in, second factor) fetches the ceremony's options from data-options, asks the
// browser's authenticator, and posts the answer in the form's hidden fields. The hub
// checks everything; this script only carries bytes between the hub and the browser.
'use strict';

(() => {
  const decode = (text) => {
    const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0)).buffer;
  };
  const encode = (buffer) => {
    const bytes = new Uint8Array(buffer);
    let binary = '';
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };
  // WebIDL refuses null where an option may only be absent.
  const withoutNulls = (value) => {
    if (Array.isArray(value)) return value.map(withoutNulls);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
    }
    return value;
  };

  const creationOptions = (options) => {
    const publicKey = withoutNulls(options);
    publicKey.challenge = decode(publicKey.challenge);
    publicKey.user.id = decode(publicKey.user.id);
    for (const credential of publicKey.excludeCredentials ?? []) credential.id = decode(credential.id);
    return publicKey;
  };
  const requestOptions = (options) => {
    const publicKey = withoutNulls(options);
    publicKey.challenge = decode(publicKey.challenge);
    for (const credential of publicKey.allowCredentials ?? []) credential.id = decode(credential.id);
    return publicKey;
  };

  const created = (credential) => ({
    id: credential.id,
    rawId: encode(credential.rawId),
    type: credential.type,
    extensions: credential.getClientExtensionResults(),
    response: {
      attestationObject: encode(credential.response.attestationObject),
      clientDataJSON: encode(credential.response.clientDataJSON),
    },
  });
  const asserted = (credential) => ({
    id: credential.id,
    rawId: encode(credential.rawId),
    type: credential.type,
    extensions: credential.getClientExtensionResults(),
    response: {
      authenticatorData: encode(credential.response.authenticatorData),
      clientDataJSON: encode(credential.response.clientDataJSON),
      signature: encode(credential.response.signature),
      userHandle: credential.response.userHandle ? encode(credential.response.userHandle) : null,
    },
  });

  // The page gives the words, in its language (data-say-*); the hub's own refusals come
  // translated in its answer.
  class Refusal extends Error {}
  const explain = (form, error) => {
    const say = form.dataset;
    if (error.name === 'NotAllowedError') return say.sayCancelled;
    if (error.name === 'InvalidStateError' && say.sayExists) return say.sayExists;
    if (error instanceof Refusal) return error.message;
    return say.sayFailed;
  };

  async function ceremony(form) {
    const response = await fetch(form.dataset.options, {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) throw answer.error ? new Refusal(answer.error) : new Error(response.statusText);
    const credential = form.dataset.passkey === 'create'
      ? created(await navigator.credentials.create({ publicKey: creationOptions(answer.publicKey) }))
      : asserted(await navigator.credentials.get({ publicKey: requestOptions(answer.publicKey) }));
    form.elements.namedItem('ceremony').value = answer.ceremony;
    form.elements.namedItem('credential').value = JSON.stringify(credential);
    form.submit();
  }

  for (const form of document.querySelectorAll('form[data-passkey]')) {
    const error = form.querySelector('[data-passkey-error]');
    if (!window.PublicKeyCredential || !navigator.credentials) {
      // Shown, so its message is seen, but it cannot be sent.
      if (error) {
        error.textContent = form.dataset.sayUnsupported;
        error.hidden = false;
        form.hidden = false;
        for (const button of form.querySelectorAll('button')) button.disabled = true;
      }
      continue;
    }
    form.hidden = false;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (error) error.hidden = true;
      const buttons = form.querySelectorAll('button');
      for (const button of buttons) button.disabled = true;
      ceremony(form).catch((failure) => {
        for (const button of buttons) button.disabled = false;
        if (error) {
          error.textContent = explain(form, failure);
          error.hidden = false;
        }
      });
    });
  }
})();
