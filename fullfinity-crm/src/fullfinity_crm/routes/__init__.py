"""The CRM's HTTP routes. Every controller file must be imported here."""

from . import lead_capture  # noqa: F401 - importing a file registers its controllers
