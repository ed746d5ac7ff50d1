"""The product module passes the generic module checks (installs, access, UI, upgrade, uninstall)."""

from fullfinity.testing import ModuleChecks


class TestProductModule(ModuleChecks):
    module = "product"
