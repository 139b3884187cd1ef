"""Services take numbers already parsed (Decimal or int) and check only the domain's rules, in one place
(`restaurant_ops.bounds.check_decimal`); a string reaching a service is a bug and fails loudly. The pages
parse what was typed and refuse it naming the field, writing nothing."""

from decimal import Decimal

import pytest

from inventory import services as inventory
from inventory.models import StockCount, StockMovement
from restaurant_ops.bounds import check_decimal
from restaurant_ops.errors import DomainError, DomainErrors
from restaurant_ops.models import Role
from tests.factories import MembershipFactory
from tests.inventory.factories import IngredientFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "rules", "code"),
    [
        (Decimal("-1"), {}, "must_be_positive"),
        (Decimal("0"), {"allow_zero": False}, "must_be_positive"),
        (Decimal("10000000"), {"below": Decimal("10000000")}, "out_of_range"),
        (Decimal("-10000000"), {"below": Decimal("10000000"), "allow_negative": True}, "out_of_range"),
        (Decimal("1e30"), {"below": Decimal("10000000"), "places": 2}, "out_of_range"),  # not quantized
        (Decimal("12.345"), {"places": 2}, "invalid"),
        (Decimal("NaN"), {}, "invalid"),
        (Decimal("-1"), {"sign_error": ("out_of_range", "More than zero.")}, "out_of_range"),
    ],
)
def test_a_broken_rule_is_a_domain_error_naming_the_field(value, rules, code):
    with pytest.raises(DomainError) as error:
        check_decimal(value, "lines[2].amount", **rules)
    assert (error.value.field, error.value.code) == ("lines[2].amount", code)


def test_numbers_that_keep_the_rules_come_back_as_decimals():
    assert check_decimal(Decimal("12.50"), "amount", places=2, below=Decimal("100")) == Decimal("12.50")
    assert check_decimal(3, "quantity", allow_zero=False) == Decimal("3")
    assert check_decimal(Decimal("-2.5"), "quantity", allow_negative=True) == Decimal("-2.5")
    assert check_decimal(Decimal("0"), "tip") == Decimal("0")
    # places are read from the digits: trailing zeros are not places, and 1e30 has none
    assert check_decimal(Decimal("1.500"), "amount", places=2) == Decimal("1.5")
    assert check_decimal(Decimal("0E-7"), "amount", places=2) == Decimal("0")
    assert check_decimal(Decimal("1e30"), "quantity", places=3) == Decimal("1e30")


def test_more_digits_than_a_decimal_context_holds_is_refused_not_an_overflow():
    with pytest.raises(DomainError) as error:
        check_decimal(Decimal("1." + "0" * 40 + "1"), "price", places=6)
    assert error.value.code == "invalid"


@pytest.mark.parametrize("value", ["12.50", 12.5, None, True])
def test_anything_but_a_decimal_or_an_int_is_a_type_error(value):
    with pytest.raises(TypeError, match="amount"):
        check_decimal(value, "amount")


def test_a_service_given_a_string_fails_loudly_and_writes_nothing(store):
    rice = IngredientFactory(store=store, base_unit="g")
    with pytest.raises(TypeError):
        inventory.stock_count_post(store=store, lines=[{"ingredient": rice.pk, "counted": "2500"}])
    with pytest.raises(DomainErrors) as error:
        inventory.stock_count_post(store=store, lines=[{"ingredient": rice.pk, "counted": Decimal("-1")}])
    assert [(e.field, e.code) for e in error.value.errors] == [("lines[0].counted", "must_be_positive")]
    assert not StockCount.objects.exists() and not StockMovement.objects.exists()


def test_the_count_page_parses_what_was_typed_and_names_the_field(client, store):
    client.force_login(MembershipFactory(store=store, role=Role.MANAGER).user)
    rice = IngredientFactory(store=store, base_unit="g")
    url = f"/inventory/{store.slug}/count/"
    for typed in ("lots", "1e30", "2.5555"):  # not a number, too large, more than 3 places
        response = client.post(url, {f"count-{rice.pk}": typed})
        page = response.content.decode()
        assert response.status_code == 400 and f"count-{rice.pk}:" in page, typed
        assert f'value="{typed}"' in page, typed  # what was typed stays in the field to be corrected
    assert not StockCount.objects.exists()
    assert client.post(url, {f"count-{rice.pk}": "2500.5"}).status_code == 302
    rice.refresh_from_db()
    assert rice.on_hand == Decimal("2500.5")
