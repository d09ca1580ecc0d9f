"""A parcel weighs its goods (variant weight x quantity) plus packaging."""

import pytest

from shipping.services import parcel_for
from tests.catalog.factories import VariantFactory

pytestmark = pytest.mark.django_db


def test_a_parcel_weighs_each_variant_times_its_quantity_plus_packaging(settings):
    settings.SHIPPING_PACKAGING_GRAMS = 250
    shirt = VariantFactory.create(weight_grams=300)
    boots = VariantFactory.create(weight_grams=1200)

    parcel = parcel_for(lines=[(shirt, 3), (boots, 1)])

    assert parcel.weight_grams == 3 * 300 + 1200 + 250
    assert parcel.items == 4


def test_weightless_goods_weigh_only_the_packaging(settings):
    settings.SHIPPING_PACKAGING_GRAMS = 120
    ebook = VariantFactory.create(weight_grams=0)

    assert parcel_for(lines=[(ebook, 2)]).weight_grams == 120


def test_an_empty_parcel_weighs_nothing(settings):
    settings.SHIPPING_PACKAGING_GRAMS = 250

    parcel = parcel_for(lines=[])

    assert (parcel.weight_grams, parcel.items) == (0, 0)


def test_a_quantity_below_one_is_refused():
    with pytest.raises(ValueError, match="quantity must be positive"):
        parcel_for(lines=[(VariantFactory.create(), 0)])
