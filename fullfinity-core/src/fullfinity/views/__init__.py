"""Views, window actions and menus: validation, inheritance and per-user resolution (views.md).

The UI is data. Modules ship ``UiView``, ``WindowAction`` and ``UiMenu`` records in their
``views/*.yaml`` files; this package checks them against the tenant's composed models when a
module is installed (``validate_views``), applies extension views by semantic targeting
(``inherit``), resolves a view for one user (``resolve``), synthesises default views for models
without one (``defaults``) and reads search views (``search``). ``router`` serves
``/api/views``, ``/api/action`` and ``/api/menus``.
"""

from fullfinity.views.exceptions import Problem, ViewValidationError
from fullfinity.views.search import search_filter, search_filters
from fullfinity.views.service import get_action, get_menus, get_view
from fullfinity.views.store import validate_views
from fullfinity.views.widgets import register_widget

__all__ = [
    "Problem",
    "ViewValidationError",
    "get_action",
    "get_menus",
    "get_view",
    "register_widget",
    "search_filter",
    "search_filters",
    "validate_views",
]
