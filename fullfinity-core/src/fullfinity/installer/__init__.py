"""Module operations per tenant: install, upgrade, uninstall, and the data files they load.

    from fullfinity.installer import install_modules
    report = await install_modules(runtime.db, tenant_info, ["crm"], plan=True)
    print("\\n".join(report.lines()))

See ``fullfinity.installer.lifecycle`` for the steps of each operation and
``fullfinity.installer.data_loader`` for data-file semantics.
"""

from fullfinity.installer.exceptions import DataFileError
from fullfinity.installer.lifecycle import LOCK_KEY, install_modules, uninstall_modules, upgrade_modules
from fullfinity.installer.report import ModuleChange, OperationReport
from fullfinity.installer.state import read_installed

__all__ = [
    "LOCK_KEY",
    "DataFileError",
    "ModuleChange",
    "OperationReport",
    "install_modules",
    "read_installed",
    "uninstall_modules",
    "upgrade_modules",
]
