"""The import-linter contracts of tests/architecture/contracts.py catch what
they say they catch, on small source trees written here, and stay quiet on
clean ones: a rule that silently finds nothing would prove nothing."""

import importlib
import textwrap
import tomllib
from pathlib import Path

import grimp
import pytest

from tests.architecture.contracts import (
    NoPrivateNameImportsContract,
    ViewsOwnAppModelsContract,
    private_name_imports,
    views_importing_other_apps_models,
)

ROOT = Path(__file__).resolve().parents[2]


def tree_write(base: Path, files: dict[str, str]) -> dict[str, Path]:
    """Write the files (with an __init__.py in every package) and return the
    top-level packages with their directories."""
    for name, source in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
        for parent in path.relative_to(base).parents:
            if parent != Path():
                (base / parent / "__init__.py").touch()
    return {name.split("/")[0]: base / name.split("/")[0] for name in files}


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Violations are printed relative to the current directory."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_private_names_imported_from_another_module_are_each_reported_with_file_and_line(here):
    packages = tree_write(
        here,
        {
            "alpha/services.py": "def _event(): ...\ndef order_place(): ...\n",
            "alpha/returns.py": """\
                from alpha.services import _event, order_place
                from .services import _event as event
                """,
            "alpha/refunds.py": """\
                def refund():
                    from alpha import services
                    return services._event()
                """,
            "alpha/_internal.py": "",
            "beta/views.py": "import alpha._internal\nfrom alpha import _helper\n",
        },
    )

    violations = private_name_imports(packages)

    assert [str(violation) for violation in violations] == [
        "alpha/refunds.py:3: alpha.refunds -> alpha.services._event",
        "alpha/returns.py:1: alpha.returns -> alpha.services._event",
        "alpha/returns.py:2: alpha.returns -> alpha.services._event",
        "beta/views.py:1: beta.views -> alpha._internal",
        "beta/views.py:2: beta.views -> alpha._helper",
    ]


def test_public_names_dunders_own_private_submodules_and_other_libraries_are_allowed(here):
    packages = tree_write(
        here,
        {
            "alpha/services.py": "def order_place(): ...\n",
            "alpha/_sql.py": "QUERY = ''\n",
            "alpha/selectors/_cards.py": "FIELDS = ()\n",
            "alpha/selectors/listing.py": """\
                from alpha import __version__, _sql
                from alpha.selectors import _cards
                from . import _cards as cards
                from alpha.services import order_place
                from os import _exit
                """,
            "beta/views.py": """\
                from alpha.services import order_place


                def _view(self):
                    return self._private
                """,
        },
    )

    assert private_name_imports(packages) == []


def test_a_view_importing_another_apps_models_is_reported_with_file_and_line(here):
    packages = tree_write(
        here,
        {
            "alpha/models.py": "class Order: ...\n",
            "alpha/views.py": "from beta.models import Cart\nfrom alpha.models import Order\n",
            "alpha/account_views.py": "from beta import models\nimport gamma.models\n",
            "beta/models.py": "class Cart: ...\n",
            "beta/views/pages.py": """\
                def page():
                    from alpha.models import Order
                """,
            "gamma/models.py": "",
        },
    )

    violations = views_importing_other_apps_models(packages)

    assert [str(violation) for violation in violations] == [
        "alpha/account_views.py:1: alpha.account_views -> beta.models",
        "alpha/account_views.py:2: alpha.account_views -> gamma.models",
        "alpha/views.py:1: alpha.views -> beta.models.Cart",
        "beta/views/pages.py:2: beta.views.pages -> alpha.models.Order",
    ]


def test_views_using_their_own_models_and_other_apps_selectors_are_allowed(here):
    packages = tree_write(
        here,
        {
            "alpha/models.py": "class Order: ...\n",
            "alpha/views.py": """\
                from alpha.models import Order
                from beta.selectors import cart_get
                from django.contrib.auth.models import Group
                """,
            "alpha/services.py": "from beta.models import Cart\n",  # not a view
            "alpha/account_views.py": """\
                from typing import TYPE_CHECKING

                if TYPE_CHECKING:
                    from beta.models import Cart  # an annotation only
                """,
            "beta/models.py": "class Cart: ...\n",
            "beta/selectors.py": "from beta.models import Cart\n",
        },
    )

    assert views_importing_other_apps_models(packages) == []


def contract_check(contract_class, packages, **options):
    contract = contract_class(
        name="rule", session_options={"root_packages": sorted(packages)}, contract_options=options
    )
    return contract, contract.check(grimp.ImportGraph(), verbose=False)


def test_an_ignored_violation_keeps_the_contract_and_a_stale_entry_breaks_it(here, monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(here))
    packages = tree_write(
        here,
        {
            "alpha/services.py": "def _event(): ...\n",
            "alpha/returns.py": "from alpha.services import _event\n",
        },
    )

    contract, check = contract_check(NoPrivateNameImportsContract, packages)
    assert not check.kept
    contract.render_broken_contract(check)
    assert "alpha/returns.py:1: alpha.returns -> alpha.services._event" in capsys.readouterr().out

    _, check = contract_check(
        NoPrivateNameImportsContract, packages, ignore=["alpha.returns -> alpha.services._event"]
    )
    assert check.kept
    assert check.ignored_import_count == 1

    stale = ["alpha.returns -> alpha.services._event", "alpha.gone -> alpha.services._event"]
    contract, check = contract_check(NoPrivateNameImportsContract, packages, ignore=stale)
    assert not check.kept
    contract.render_broken_contract(check)
    assert "- alpha.gone -> alpha.services._event" in capsys.readouterr().out

    _, check = contract_check(
        NoPrivateNameImportsContract, packages, ignore=stale, unmatched_ignore_imports_alerting="warn"
    )
    assert check.kept
    assert check.warnings == ["No import matches the ignore entry 'alpha.gone -> alpha.services._event'."]


def test_the_views_contract_breaks_on_a_violation_and_keeps_on_a_clean_tree(here, monkeypatch):
    monkeypatch.syspath_prepend(str(here))
    packages = tree_write(
        here,
        {"alpha/views.py": "from beta.models import Cart\n", "beta/models.py": "class Cart: ...\n"},
    )

    _, check = contract_check(ViewsOwnAppModelsContract, packages)
    assert not check.kept
    keys = [violation.key for violation in check.metadata["violations"]]
    assert keys == ["alpha.views -> beta.models.Cart"]

    (here / "alpha/views.py").write_text("from beta.selectors import cart_get\n")
    _, check = contract_check(ViewsOwnAppModelsContract, packages)
    assert check.kept


def test_the_shop_keeps_the_contracts_of_pyproject_with_exactly_their_ignore_lists(monkeypatch):
    """What bin/lint checks, in the suite too: the types are registered, every
    ignore entry still matches an import, and nothing else breaks the rules."""
    monkeypatch.chdir(ROOT)
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    types = dict(entry.split(": ") for entry in config["contract_types"])
    custom = [contract for contract in config["contracts"] if contract["type"] in types]
    assert {contract["type"] for contract in custom} == {"no_private_name_imports", "views_own_app_models"}

    for options in custom:
        module_name, _, class_name = types[options["type"]].rpartition(".")
        contract_class = getattr(importlib.import_module(module_name), class_name)
        contract = contract_class(
            name=options["name"],
            session_options={"root_packages": config["root_packages"]},
            contract_options=options,
        )
        check = contract.check(grimp.ImportGraph(), verbose=False)
        assert check.kept, check.metadata
