"""Verify a LedgerLink consent receipt the way anyone can: its signature against the broker's published keys, then
whether the broker still holds it in force.

    pip install "pyjwt[crypto]"
    python verify_receipt.py https://broker.example "$RECEIPT"
    python verify_receipt.py https://broker.example consent-receipt.json   # the receipt page's "Download JSON"

Needs nothing of this repository: copy the file anywhere. Exit status 0 when genuine and in force, 1 otherwise.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path

import jwt  # PyJWT, a JOSE library independent of the broker's own (joserfc)


def read_receipt(given: str) -> str:
    """The compact JWS itself, or the one in a file the receipt page downloaded (``{"receipt", "claims"}``)."""
    path = Path(given)
    if not given.startswith("ey") and path.is_file():
        text = path.read_text(encoding="utf-8").strip()
        return str(json.loads(text)["receipt"]) if text.startswith("{") else text
    return given.strip()


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    broker, receipt = argv[1].rstrip("/"), read_receipt(argv[2])
    if not broker.startswith(("https://", "http://")):
        print("The broker URL must start with https:// (or http:// on your own machine).", file=sys.stderr)
        return 2
    # 1. Offline: the signature and the expiry, with the public key named by the receipt's kid.
    key = jwt.PyJWKClient(f"{broker}/.well-known/jwks.json").get_signing_key_from_jwt(receipt)
    try:
        claims = jwt.decode(receipt, key, algorithms=["ES256"])
    except jwt.PyJWTError as error:
        print(f"NOT VALID: {error}")
        return 1
    print("Signature: genuine (kid " + str(jwt.get_unverified_header(receipt)["kid"]) + ")")
    print(json.dumps(claims, indent=2, ensure_ascii=False))
    # 2. Online: revocation and the lender's end of access are known to the broker only.
    request = urllib.request.Request(  # noqa: S310 - the broker URL the user typed
        f"{broker}/consents/verify",
        data=json.dumps({"receipt": receipt}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310  # nosec B310 - http(s) checked above
        status = json.load(answer)
    print(f"Status at the broker: {status['status']}")
    return 0 if status["in_force"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
