"""Signs a user in at a running hub as an app server would, with independently written
libraries: requests for HTTP and PyJWT for the ID token.

Authorization code flow with PKCE (S256), state and nonce, through the hub's own pages:
GET the authorization endpoint found by discovery, fill in the login form (and press
"Allow" on a consent page, should one come), follow the redirects up to the app's
redirect_uri (nothing listens there: the code is read from the Location header), check
`state` and `iss` (RFC 9207), exchange the code at the token endpoint with
client_secret_basic, verify the ID token's signature against the JWKS and its iss, aud and
nonce, and read userinfo with the access token. Prints one JSON line on success; any
failure is an exception, so a non-zero exit.

    python signin.py --issuer URL --client-id ID --client-secret S \
        --redirect-uri URI --username NAME --password-env VAR
"""

import argparse
import base64
import hashlib
import json
import os
import secrets
import sys
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import jwt
import requests

TIMEOUT = 30


class Forms(HTMLParser):
    """Every <form> of a page: its action, method, and its inputs and buttons."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""),
                               "method": attrs.get("method", "get").lower(),
                               "inputs": [], "buttons": []})
        elif self.forms and tag == "input":
            self.forms[-1]["inputs"].append(attrs)
        elif self.forms and tag == "button":
            self.forms[-1]["buttons"].append(attrs)


def fill(page_url, html, username, password):
    """The request that a person would make on this page: sign in, or allow."""
    parser = Forms()
    parser.feed(html)
    for form in parser.forms:
        names = {i.get("name") for i in form["inputs"]}
        fields = {i["name"]: i.get("value", "") for i in form["inputs"]
                  if i.get("name") and i.get("type", "text") == "hidden"}
        if "csrf_token" not in fields:
            raise AssertionError(f"a form on {page_url} has no CSRF token: {form}")
        action = urljoin(page_url, form["action"] or page_url)
        if "password" in names:
            fields.update(username=username, password=password)
            return "login", action, fields
        allow = [b for b in form["buttons"] if b.get("name") == "decision" and b.get("value") == "allow"]
        if allow:
            fields["decision"] = "allow"
            return "consent", action, fields
    raise AssertionError(f"no login or consent form on {page_url}:\n{html[:2000]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--issuer", required=True)
    ap.add_argument("--client-id", required=True)
    ap.add_argument("--client-secret", required=True)
    ap.add_argument("--redirect-uri", required=True)
    ap.add_argument("--username", required=True)
    ap.add_argument("--password-env", required=True, help="the variable that holds the password")
    args = ap.parse_args()
    password = os.environ[args.password_env]

    http = requests.Session()
    discovery = http.get(f"{args.issuer.rstrip('/')}/.well-known/openid-configuration", timeout=TIMEOUT)
    discovery.raise_for_status()
    meta = discovery.json()
    assert meta["issuer"] == args.issuer, f"discovery says issuer {meta['issuer']!r}, not {args.issuer!r}"

    verifier = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    response = http.get(meta["authorization_endpoint"], allow_redirects=False, timeout=TIMEOUT, params={
        "response_type": "code", "client_id": args.client_id, "redirect_uri": args.redirect_uri,
        "scope": "openid profile email", "state": state, "nonce": nonce,
        "code_challenge": challenge, "code_challenge_method": "S256",
    })

    pages = []
    for _ in range(10):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(args.redirect_uri):
                break
            response = http.get(location, allow_redirects=False, timeout=TIMEOUT)
            continue
        assert response.status_code == 200, f"{response.url}: {response.status_code} {response.text[:500]}"
        page, action, fields = fill(response.url, response.text, args.username, password)
        pages.append(page)
        response = http.post(action, data=fields, allow_redirects=False, timeout=TIMEOUT)
    else:
        raise AssertionError(f"no redirect to {args.redirect_uri} after {pages}")
    assert "login" in pages, f"the hub never showed its login page: {pages}"

    query = parse_qs(urlsplit(location).query)
    assert "error" not in query, f"authorization failed: {query}"
    assert query.get("state") == [state], f"state {query.get('state')} is not ours"
    assert query.get("iss") == [args.issuer], f"iss {query.get('iss')} in the authorization response"
    code = query["code"][0]

    token = http.post(meta["token_endpoint"], auth=(args.client_id, args.client_secret), timeout=TIMEOUT, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": args.redirect_uri,
        "code_verifier": verifier,
    })
    assert token.status_code == 200, f"token endpoint: {token.status_code} {token.text}"
    tokens = token.json()

    jwks = http.get(meta["jwks_uri"], timeout=TIMEOUT)
    jwks.raise_for_status()
    header = jwt.get_unverified_header(tokens["id_token"])
    keys = {key.key_id: key for key in jwt.PyJWKSet.from_dict(jwks.json()).keys}
    assert header.get("kid") in keys, f"the ID token's kid {header.get('kid')} is not in the JWKS"
    claims = jwt.decode(
        tokens["id_token"], keys[header["kid"]], algorithms=["RS256"], audience=args.client_id,
        issuer=args.issuer, options={"require": ["iss", "sub", "aud", "exp", "iat", "nonce"]},
    )
    assert claims["nonce"] == nonce, "the ID token's nonce is not ours"

    userinfo = http.get(meta["userinfo_endpoint"], timeout=TIMEOUT,
                        headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert userinfo.status_code == 200, f"userinfo: {userinfo.status_code} {userinfo.text}"
    info = userinfo.json()
    assert info["sub"] == claims["sub"], "userinfo's sub differs from the ID token's"
    assert info.get("preferred_username") == args.username, f"userinfo: {info}"

    print(json.dumps({"pages": pages, "kid": header["kid"], "sub": claims["sub"],
                      "preferred_username": info["preferred_username"], "email": info.get("email")}))


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, KeyError, requests.RequestException, jwt.PyJWTError) as e:
        print(f"signin.py: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
