"""The ``product`` module: units of measure, product categories and products (business.md 1).

Shipped by fullfinity-core because invoicing and inventory both need it and neither may depend
on the other; it is installed when a module depending on it is. Its public helpers for other
modules are in :mod:`fullfinity.modules.product.units`.
"""
