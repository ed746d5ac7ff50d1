"""Authentication: passwords, tokens, sessions, API keys and login throttling (security.md 9).

- ``passwords``: argon2id hashing, the password policy.
- ``secret``: the signing secret (settings, or generated into the data directory).
- ``tokens``: HS256 access/refresh JWTs bound to a tenant.
- ``sessions``: session families, refresh rotation with reuse detection, revocation.
- ``api_keys``: ``ffk_<prefix>_<secret>`` keys stored as SHA-256 hashes.
- ``bearer``: who a request's ``Authorization: Bearer`` credential is.
- ``throttle``: failed-login locks per account, attempt budgets per client address.
- ``accounts``: user administration shared by the CLI (create, password, disable).

The HTTP endpoints are in ``fullfinity.web.auth``; route protection in
``fullfinity.web.request_env``.
"""
