"""Bulk generation of single-use codes: the service, the management command
and the admin action."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from promotions.models import PromoCode
from promotions.selectors import promo_code_offer
from promotions.services import CODE_ALPHABET, PromotionError, promo_codes_generate
from promotions.values import OfferKind, PromoContext
from tests.catalog.factories import BrandFactory, CategoryFactory
from tests.promotions.factories import PromoCodeFactory

pytestmark = pytest.mark.django_db

ENDS = datetime(2026, 12, 31, 23, 0, tzinfo=UTC)


@pytest.fixture
def template() -> PromoCode:
    return PromoCodeFactory.create(
        code="NEWS",
        kind=OfferKind.FIXED,
        value=Decimal(5),
        min_subtotal=Decimal(30),
        first_order_only=True,
        ends_at=ENDS,
        usage_limit=None,
        categories=[CategoryFactory.create()],
        brands=[BrandFactory.create()],
    )


def test_generated_codes_copy_the_rules_and_scope_and_are_single_use(template):
    codes = promo_codes_generate(template=template, count=25, prefix="news-", length=8)

    assert len(codes) == 25
    assert len({code.code for code in codes}) == 25
    stored = PromoCode.objects.exclude(pk=template.pk)
    assert stored.count() == 25
    for code in stored:
        assert code.code.startswith("NEWS-")
        assert len(code.code) == len("NEWS-") + 8
        assert set(code.code.removeprefix("NEWS-")) <= set(CODE_ALPHABET)
        assert (code.kind, code.value, code.min_subtotal, code.ends_at) == (
            OfferKind.FIXED,
            Decimal("5.00"),
            Decimal("30.00"),
            ENDS,
        )
        assert (code.usage_limit, code.per_customer_limit, code.first_order_only) == (1, 1, True)
        assert code.batch == codes[0].batch
        assert code.batch.startswith("NEWS@")
    offer = promo_code_offer(
        code=codes[0].code.lower(), context=PromoContext(now=datetime(2026, 7, 1, tzinfo=UTC))
    )
    template_offer = promo_code_offer(code="news", context=PromoContext(now=datetime(2026, 7, 1, tzinfo=UTC)))
    assert (offer.category_ids, offer.brand_ids) == (template_offer.category_ids, template_offer.brand_ids)


def test_generation_draws_again_when_a_code_exists(template, monkeypatch):
    PromoCodeFactory.create(code="AAAAAA")
    draws = iter("AAAAAA" + "BBBBBB")
    monkeypatch.setattr("promotions.services.secrets.choice", lambda alphabet: next(draws))

    (code,) = promo_codes_generate(template=template, count=1, length=6)

    assert code.code == "BBBBBB"


def test_generation_reports_progress(template):
    seen: list[tuple[int, int]] = []

    promo_codes_generate(
        template=template, count=1200, progress=lambda done, total: seen.append((done, total))
    )

    assert seen == [(500, 1200), (1000, 1200), (1200, 1200)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"count": 0}, "Generate between 1 and 100000 codes."),
        ({"count": 1, "length": 5}, "The random part is 6 to 32 characters long."),
        ({"count": 1, "prefix": "no spaces"}, "A prefix is up to 20 letters, digits or dashes."),
    ],
)
def test_generation_refuses_bad_requests(template, kwargs, message):
    with pytest.raises(PromotionError, match=message):
        promo_codes_generate(template=template, **kwargs)


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_command_writes_csv_to_stdout_and_progress_to_stderr(template, capsys):
    out = io.StringIO()

    call_command("promo_codes_generate", "--from", "news", "--count", "30", "--prefix", "x-", stdout=out)

    rows = _rows(out.getvalue())
    assert list(rows[0]) == ["code", "kind", "value", "valid_until"]
    assert len(rows) == 30
    assert {row["code"] for row in rows} == set(
        PromoCode.objects.filter(code__startswith="X-").values_list("code", flat=True)
    )
    assert (rows[0]["kind"], rows[0]["value"]) == ("fixed", "5.00")
    assert rows[0]["valid_until"] == "2026-12-31T23:00:00+00:00"
    progress = capsys.readouterr().err
    assert "30/30" in progress
    assert "100%" in progress


def test_the_command_writes_a_csv_file(template, tmp_path):
    path = tmp_path / "codes.csv"
    err = io.StringIO()

    call_command(
        "promo_codes_generate",
        "--from",
        "NEWS",
        "--count",
        "3",
        "--csv",
        str(path),
        "--no-progress",
        stderr=err,
    )

    assert len(_rows(path.read_text())) == 3
    batch = PromoCode.objects.exclude(batch="").values_list("batch", flat=True).first()
    assert f"3 codes ({batch}) written to {path}." in err.getvalue()


def test_the_command_refuses_an_unknown_template_or_bad_count(template):
    with pytest.raises(CommandError, match="There is no code 'nope'"):
        call_command("promo_codes_generate", "--from", "nope", "--count", "3")
    with pytest.raises(CommandError, match="Generate between 1"):
        call_command("promo_codes_generate", "--from", "news", "--count", "0", "--no-progress")


def test_the_admin_action_asks_then_answers_with_a_csv(staff_client, template):
    url = reverse("admin:promotions_promocode_changelist")
    chosen = {"action": "generate_codes", "_selected_action": [template.pk]}

    form = staff_client.post(url, chosen)
    assert form.status_code == 200
    assert "Generate single-use codes from NEWS" in form.text
    assert 'name="count"' in form.text

    invalid = staff_client.post(
        url, {**chosen, "generate": "1", "count": "0", "code_prefix": "", "length": "10"}
    )
    assert invalid.status_code == 200
    assert "greater than or equal to 1" in invalid.text
    assert PromoCode.objects.count() == 1

    response = staff_client.post(
        url, {**chosen, "generate": "1", "count": "12", "code_prefix": "vip-", "length": "8"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="promo-codes-{template.pk}.csv"'
    rows = _rows(response.content.decode())
    assert len(rows) == 12
    assert all(row["code"].startswith("VIP-") for row in rows)
    assert PromoCode.objects.filter(code__startswith="VIP-", usage_limit=1).count() == 12


def test_the_admin_action_wants_exactly_one_code(staff_client, template):
    other = PromoCodeFactory.create(code="OTHER")
    url = reverse("admin:promotions_promocode_changelist")

    response = staff_client.post(
        url, {"action": "generate_codes", "_selected_action": [template.pk, other.pk]}, follow=True
    )

    assert "Choose exactly one code to copy." in response.text
    assert PromoCode.objects.count() == 2
