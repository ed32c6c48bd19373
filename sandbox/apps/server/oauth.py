"""One authlib authorization server per simulated app: code grant with S256 PKCE, refresh, revocation, ``iss``."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import InvalidRequestError, grants
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc9207 import IssuerParameter

from sandbox.apps.server import storage
from sandbox.apps.server.storage import AppUser, RegisteredClient, StoredCode, StoredToken
from sandbox.db import Database

BANK_GRANT = "bank_mfa"
SCOPES = {
    "accounting": "accounting.read",
    "banking": "banking.read",
    "commerce": "commerce.read",
    "payroll": "payroll.read",
}


class S256Required(CodeChallenge):
    """PKCE that every client must use, with the S256 method only (no ``plain``, no default)."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send code_challenge with code_challenge_method=S256.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Only code_challenge_method=S256 is accepted.")
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        if not grant.request.form.get("code_verifier"):
            raise InvalidRequestError("Missing 'code_verifier': PKCE is required.")
        super().validate_code_verifier(grant, result)


class CodeGrant(grants.AuthorizationCodeGrant):
    """Authorization code grant storing codes in the sandbox database."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]

    def save_authorization_code(self, code: str, request: Any) -> None:
        server: AppServer = self.server
        data = request.payload.data
        storage.save_code(
            server.db,
            server.app_key,
            code,
            client_id=request.client.client_id,
            user=request.user,
            values={
                "redirect_uri": request.payload.redirect_uri,
                "scope": request.scope or "",
                "code_challenge": data["code_challenge"],
                "code_challenge_method": data["code_challenge_method"],
                "ttl": server.settings["APP_CODE_TTL_SECONDS"],
            },
        )

    def query_authorization_code(self, code: str, client: RegisteredClient) -> StoredCode | None:
        server: AppServer = self.server
        return storage.find_code(server.db, server.app_key, code, client.client_id)

    def delete_authorization_code(self, authorization_code: StoredCode) -> None:
        storage.delete_code(self.server.db, authorization_code.code_hash)

    def authenticate_user(self, authorization_code: StoredCode) -> AppUser:
        return authorization_code.user


class RefreshGrant(grants.RefreshTokenGrant):
    """Refresh token grant with rotation: every refresh issues a new refresh token and revokes the old pair."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> StoredToken | None:
        server: AppServer = self.server
        token = storage.find_token(server.db, server.app_key, refresh_token=refresh_token)
        return token if token is not None and token.refresh_usable() else None

    def authenticate_user(self, refresh_token: StoredToken) -> AppUser:
        return refresh_token.user

    def revoke_old_credential(self, refresh_token: StoredToken) -> None:
        storage.revoke(self.server.db, refresh_token.id)


class Revocation(RevocationEndpoint):
    """RFC 7009 revocation of an access or refresh token (either revokes the whole grant)."""

    CLIENT_AUTH_METHODS = ["client_secret_basic"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> StoredToken | None:
        server: AppServer = self.server
        if token_type_hint == "refresh_token":  # noqa: S105  (a token type name, not a secret)
            return storage.find_token(server.db, server.app_key, refresh_token=token_string)
        found = storage.find_token(server.db, server.app_key, access_token=token_string)
        return found or storage.find_token(server.db, server.app_key, refresh_token=token_string)

    def revoke_token(self, token: StoredToken, request: Any) -> None:
        storage.revoke(self.server.db, token.id)


class AppIssuer(IssuerParameter):
    """Adds the app's ``iss`` to every authorization response (RFC 9207)."""

    def __init__(self, issuer: Callable[[], str]) -> None:
        self._issuer = issuer

    def get_issuer(self) -> str | None:
        return self._issuer()


class AppServer(AuthorizationServer):
    """The authorization server of one simulated app, bound to the sandbox database and settings."""

    def __init__(
        self,
        app_key: str,
        db: Database,
        settings: dict[str, Any],
        *,
        public_base: Callable[[], str],
        interactive: bool,
    ) -> None:
        super().__init__()
        self.app_key, self.db, self.settings, self.public_base = app_key, db, settings, public_base
        ttl = settings["APP_ACCESS_TOKEN_TTL_SECONDS"]
        self.load_config(
            {
                "OAUTH2_REFRESH_TOKEN_GENERATOR": True,
                "OAUTH2_TOKEN_EXPIRES_IN": {"authorization_code": ttl, "refresh_token": ttl, BANK_GRANT: ttl},
            }
        )
        if interactive:
            self.register_grant(CodeGrant, [S256Required(required=True)])
            self.register_extension(AppIssuer(self.issuer))
        self.register_grant(RefreshGrant)
        self.register_endpoint(Revocation)

    def issuer(self) -> str:
        """Return this app's issuer identifier: ``<public url>/apps/<key>``."""
        return f"{self.public_base()}/apps/{self.app_key}"

    def redirect_uri(self) -> str:
        """Return the connector's callback URL for this app (the only redirect URI registered)."""
        return f"{self.public_base()}/connect/{self.app_key}/callback"

    def query_client(self, client_id: str) -> RegisteredClient | None:
        return storage.find_client(self.db, self.app_key, client_id, (self.redirect_uri(),))

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        user: AppUser = request.user
        # Like Xero's tenant id: the token answer names the organisation the owner granted.
        token["organisation"] = user.organisation
        storage.save_token(
            self.db,
            self.app_key,
            token,
            client_id=request.client.client_id,
            user=user,
            refresh_ttl=self.settings["APP_REFRESH_TOKEN_TTL_SECONDS"],
        )

    def issue_direct_token(self, client: RegisteredClient, user: AppUser) -> dict[str, Any]:
        """Issue and store a token without a code (the bank, after a correct one-time code)."""
        token: dict[str, Any] = dict(
            self.generate_token(BANK_GRANT, client, user=user, scope=client.scope, include_refresh_token=True)
        )
        self.save_token(token, SimpleNamespace(user=user, client=client))
        return token

    def metadata(self) -> dict[str, Any]:
        """Return the RFC 8414 metadata of this server."""
        base = self.issuer()
        return {
            "issuer": base,
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "revocation_endpoint": f"{base}/oauth/revoke",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "authorization_response_iss_parameter_supported": True,
        }
