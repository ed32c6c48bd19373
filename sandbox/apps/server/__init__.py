"""The simulated apps' own servers: OAuth 2.0 authorization servers, the bank's sign-in with MFA, token storage."""
