"""Tenant names: lower-case identifier rules, reserved names, database names."""

from __future__ import annotations

import pytest

from fullfinity.exceptions import InvalidTenantName
from fullfinity.tenancy.names import database_name, validate_tenant_name


@pytest.mark.parametrize("name", ["acme", "acme-staging", "a", "b2b", "x" * 63])
def test_lower_case_names_with_digits_and_dashes_are_accepted(name):
    assert validate_tenant_name(name) == name


@pytest.mark.parametrize(
    "name",
    ["Acme", "1acme", "-acme", "acme_corp", "acme.corp", "acme corp", "", "x" * 64, "acmé"],
)
def test_names_breaking_the_identifier_rules_are_rejected_with_the_rule(name):
    with pytest.raises(InvalidTenantName, match="lower-case letters, digits and '-', starting with a letter"):
        validate_tenant_name(name)


def test_a_name_ending_with_a_dash_is_rejected():
    with pytest.raises(InvalidTenantName, match="must not end with '-'"):
        validate_tenant_name("acme-")


@pytest.mark.parametrize("name", ["www", "api", "static", "admin"])
def test_reserved_names_are_rejected(name):
    with pytest.raises(InvalidTenantName, match="reserved"):
        validate_tenant_name(name)


def test_the_database_name_is_the_prefix_plus_the_name_with_underscores():
    assert database_name("ff_", "acme-staging") == "ff_acme_staging"
