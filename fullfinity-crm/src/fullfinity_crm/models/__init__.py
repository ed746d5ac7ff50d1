"""The CRM's models. Every model file must be imported here (keep the list alphabetical)."""

from . import (  # noqa: F401 - importing a file registers its models
    configuration,
    lead,
    lost_reason,
    scoring,
    stage,
    tag,
    team,
)
