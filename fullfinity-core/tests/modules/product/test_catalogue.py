"""Product categories (stored complete names) and products (unique codes and barcodes when set)."""

import pytest

from fullfinity.engine.base import IntegrityError, ValidationError


async def test_complete_name_is_the_path_from_the_root(env):
    root = await env["ProductCategory"].filter(name="All").get()
    saleable = await env["ProductCategory"].create(name="Saleable2", parent=root.id)
    office = await env["ProductCategory"].create(name="Office2", parent=saleable.id)

    assert office.complete_name == "All / Saleable2 / Office2"
    assert (await env["ProductCategory"].filter(complete_name="All / Saleable2 / Office2").count()) == 1


async def test_renaming_a_category_renames_its_descendants(env):
    root = await env["ProductCategory"].create(name="Top")
    middle = await env["ProductCategory"].create(name="Middle", parent=root.id)
    leaf = await env["ProductCategory"].create(name="Leaf", parent=middle.id)

    root.name = "Summit"
    await root.save()

    assert (await env["ProductCategory"].get(leaf.id)).complete_name == "Summit / Middle / Leaf"


async def test_categories_loaded_in_bulk_get_their_complete_names(env):
    root = await env["ProductCategory"].create(name="Bulk root")
    created = await env["ProductCategory"].bulk_create([{"name": f"B{i}", "parent": root.id} for i in range(3)])

    assert [c.complete_name for c in created] == ["Bulk root / B0", "Bulk root / B1", "Bulk root / B2"]


async def test_a_category_cannot_be_its_own_ancestor(env):
    a = await env["ProductCategory"].create(name="A")
    b = await env["ProductCategory"].create(name="B", parent=a.id)

    a.parent = b.id
    with pytest.raises(ValidationError) as caught:
        await a.save()

    assert caught.value.details[0]["path"] == "parent"


async def test_demo_categories_have_complete_names(env):
    office = await env["ProductCategory"].filter(name="Office").get()

    assert office.complete_name == "All / Saleable / Office"


async def test_two_products_cannot_share_a_code(env):
    await env["Product"].create(name="First", code="DUP-1")

    with pytest.raises(IntegrityError) as caught:
        await env["Product"].create(name="Second", code="DUP-1")

    assert caught.value.details[0]["path"] == "code"


async def test_two_products_cannot_share_a_barcode(env):
    await env["Product"].create(name="First", barcode="123")

    with pytest.raises(IntegrityError):
        await env["Product"].create(name="Second", barcode="123")


async def test_many_products_may_have_no_code_even_a_blank_one(env):
    a = await env["Product"].create(name="No code 1", code="")
    b = await env["Product"].create(name="No code 2", code="  ")
    c = (await env["Product"].bulk_create([{"name": "No code 3", "code": ""}]))[0]

    assert (a.code, b.code, c.code) == (None, None, None)


async def test_a_product_gets_the_units_unit_by_default(env):
    product = await env["Product"].create(name="Widget")
    await product.fetch_related("uom")

    assert product.uom.name == "Units"


async def test_contacts_have_address_and_tax_fields(env):
    contact = await env["Contact"].create(
        name="Initech", street="1 Main St", zip="75001", city="Paris", state_name="IDF", vat="FR123", website="x.test"
    )

    assert (await env["Contact"].get(contact.id)).city == "Paris"


async def test_product_prices_are_exact(env):
    product = await env["Product"].create(name="Cheap", sale_price="0.1", cost=0.2)

    assert str((await env["Product"].get(product.id)).sale_price) == "0.10"
