"""Module operations started from ``Module`` records (the web client's buttons, ``/api/execute``).

They run in the caller's transaction (``within=env``): an install requested through
``POST /api/execute/Module/action_install`` commits with that request, or not at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from fullfinity.engine.context import current_tenant
from fullfinity.exceptions import BadRequest, DependencyError, ModuleError, UserError
from fullfinity.installer.lifecycle import install_modules, uninstall_modules, upgrade_modules

if TYPE_CHECKING:
    from fullfinity.engine.models import Model

__all__ = ["module_operation"]

Operation = Literal["install", "upgrade", "uninstall"]
_USER_ERRORS = (ModuleError, DependencyError)


async def module_operation(
    records: Model, operation: Operation, *, plan: bool = False, drop_data: bool = False
) -> dict[str, Any]:
    """Run ``operation`` on the modules of ``records`` in the current tenant.

    Returns the plan (``OperationReport.to_dict()``) when ``plan``, else the client action
    ``{"type": "reload"}``.
    """
    identifiers = [r.identifier for r in records]
    if not identifiers:
        raise BadRequest(f"Module.action_{operation} needs at least one Module record: send 'ids' with one or more.")
    env = records.env
    tenant = current_tenant()
    # The installer works elevated in its own Environment on the caller's connection: who may start it
    # is decided by @Model.expose(groups=["core_admin"]) on the Module methods.
    try:
        if operation == "install":
            report = await install_modules(None, tenant, identifiers, plan=plan, within=env)
        elif operation == "upgrade":
            report = await upgrade_modules(None, tenant, identifiers, plan=plan, within=env)
        else:
            report = await uninstall_modules(None, tenant, identifiers, drop_data=drop_data, plan=plan, within=env)
    except ModuleError as exc:
        if type(exc) not in _USER_ERRORS:
            raise
        # A refused request (dependents still installed, core, unknown module): the administrator's to fix, a 400.
        raise UserError(str(exc), details=exc.details) from exc
    if plan:
        return report.to_dict()
    return {"type": "reload"}
