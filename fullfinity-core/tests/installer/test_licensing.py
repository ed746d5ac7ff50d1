"""Enterprise modules install only under a valid Ed25519-signed license for the tenant and module."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from fullfinity.engine.licensing import add_tenant_license, load_public_key, sign_payload
from fullfinity.exceptions import LicenseError
from fullfinity.installer import install_modules
from fullfinity.runtime import Runtime
from fullfinity.tenancy.service import installed_modules

from .conftest import unique

KEY = Ed25519PrivateKey.generate()
RAW_PUBLIC = base64.b64encode(KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def document(tenants, modules, expires=None, key=KEY):
    expires = expires or (dt.date.today() + dt.timedelta(days=30)).isoformat()
    payload = {"licensee": "Northwind", "tenants": tenants, "modules": modules, "expires": expires}
    return sign_payload(key, payload)


@pytest_asyncio.fixture(loop_scope="session")
async def licensed(ff_settings, tmp_path):
    """A runtime whose settings carry the test public key and, optionally, a license file."""
    runtimes = []

    async def make(*documents):
        update = {"license_public_key": RAW_PUBLIC, "license_file": None}
        if documents:
            path = tmp_path / f"licenses-{len(runtimes)}.json"
            path.write_text(json.dumps(list(documents)))
            update["license_file"] = path
        runtime = Runtime(settings=ff_settings.model_copy(update=update))
        runtime.start()
        runtimes.append(runtime)
        return runtime

    yield make
    for runtime in runtimes:
        await runtime.close()


@pytest.fixture
def enterprise(modules):
    ident = unique("ent")
    modules.add(ident, manifest={"edition": "enterprise"})
    return ident


async def test_a_license_for_the_tenant_and_module_lets_the_module_install(licensed, enterprise, new_tenant):
    info = await new_tenant()
    runtime = await licensed(document([info.name], [enterprise]))

    await install_modules(runtime.db, info, [enterprise])

    assert enterprise in await installed_modules(runtime.db, info)


async def test_without_any_license_the_install_is_refused_and_nothing_installed(licensed, enterprise, new_tenant):
    info = await new_tenant()
    runtime = await licensed()

    with pytest.raises(LicenseError, match=rf"{enterprise}: no valid license is installed"):
        await install_modules(runtime.db, info, [enterprise])

    assert enterprise not in await installed_modules(runtime.db, info)


async def test_an_expired_license_is_refused_with_its_date(licensed, enterprise, new_tenant):
    info = await new_tenant()
    runtime = await licensed(document("*", [enterprise], expires="2020-01-31"))

    with pytest.raises(LicenseError, match="the license expired on 2020-01-31"):
        await install_modules(runtime.db, info, [enterprise])


async def test_a_license_for_another_tenant_is_refused(licensed, enterprise, new_tenant):
    info = await new_tenant()
    runtime = await licensed(document(["someone-else"], [enterprise]))

    with pytest.raises(LicenseError, match=f"no license covers the tenant '{info.name}'"):
        await install_modules(runtime.db, info, [enterprise])


async def test_a_tampered_license_is_rejected_for_its_signature(licensed, enterprise, new_tenant):
    info = await new_tenant()
    forged = document([info.name], ["other_module"])
    forged["payload"]["modules"] = [enterprise]
    runtime = await licensed(forged)

    with pytest.raises(LicenseError, match="invalid signature"):
        await install_modules(runtime.db, info, [enterprise])


async def test_a_license_signed_by_another_key_is_rejected(licensed, enterprise, new_tenant):
    info = await new_tenant()
    runtime = await licensed(document([info.name], [enterprise], key=Ed25519PrivateKey.generate()))

    with pytest.raises(LicenseError, match="invalid signature"):
        await install_modules(runtime.db, info, [enterprise])


async def test_a_license_stored_in_the_tenant_is_used(licensed, enterprise, new_tenant):
    info = await new_tenant()
    runtime = await licensed()
    async with runtime.db.connection(info.server, info.database) as conn:
        assert await add_tenant_license(conn, document([info.name], [enterprise]))

    await install_modules(runtime.db, info, [enterprise])

    assert enterprise in await installed_modules(runtime.db, info)


async def test_community_modules_need_no_license_even_without_a_key(ff_runtime, modules, new_tenant):
    ident = unique("com")
    modules.add(ident)
    info = await new_tenant()

    await install_modules(ff_runtime.db, info, [ident])

    assert ident in await installed_modules(ff_runtime.db, info)


def test_the_public_key_may_be_pem():
    pem = KEY.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()

    assert load_public_key(pem).public_bytes(Encoding.Raw, PublicFormat.Raw) == base64.b64decode(RAW_PUBLIC)


def test_a_missing_public_key_says_which_setting_to_set():
    with pytest.raises(LicenseError, match="Set FULLFINITY_LICENSE_PUBLIC_KEY"):
        load_public_key(None)
