"""Core's models. Every model file must be imported here (keep the list alphabetical)."""

from . import (  # noqa: F401 - importing a file registers its models
    access,
    api_key,
    auth_session,
    change_password,
    configuration,
    contact,
    cron,
    currency,
    group,
    model_registry,
    module,
    saved_search,
    ui,
    user,
)
