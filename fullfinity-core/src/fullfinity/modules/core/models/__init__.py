"""Core's models. Every model file must be imported here (keep the list alphabetical)."""

from . import access, contact, currency, group, user  # noqa: F401 - importing a file registers its models
