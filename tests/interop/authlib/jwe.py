"""The recipient's side of what the hub encrypts to a client (OIDC Core §10.2), with
Authlib's JOSE, a JWE implementation independent of the hub's.

    jwe.py keygen                     -> {"private": JWK, "public": JWK}
    jwe.py decrypt PRIVATE_JWK TOKEN  -> {"header": {...}, "payload": "..."}

Runs in the Flask-OIDC virtualenv (tests/interop/flask-oidc/requirements.txt pins Authlib).
"""

import json
import sys
import warnings

# authlib.jose is deprecated in favour of joserfc, and still what Flask-OIDC 2.x runs on.
warnings.filterwarnings("ignore", module="authlib")
from authlib.jose import JsonWebEncryption, JsonWebKey  # noqa: E402

# Every algorithm the hub offers in discovery; RSA1_5 is off in Authlib by default.
ALGORITHMS = [
    "RSA1_5", "RSA-OAEP", "RSA-OAEP-256",
    "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A128GCM", "A192GCM", "A256GCM",
]


def main() -> None:
    command = sys.argv[1]
    if command == "keygen":
        key = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": sys.argv[2]})
        public = dict(key.as_dict(), use="enc")
        print(json.dumps({"private": key.as_dict(is_private=True), "public": public}))
    elif command == "decrypt":
        private = JsonWebKey.import_key(json.loads(sys.argv[2]))
        decrypted = JsonWebEncryption(algorithms=ALGORITHMS).deserialize_compact(sys.argv[3], private)
        print(json.dumps({"header": decrypted["header"], "payload": decrypted["payload"].decode()}))
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
