"""Two import-linter contract types that the built-in ones cannot express.

import-linter's graph knows which module imports which, but not which *names*
are imported, so these contracts read the source of the root packages with
``ast`` instead of using the graph. They are registered in pyproject.toml::

    [tool.importlinter]
    contract_types = [
        "no_private_name_imports: tests.architecture.contracts.NoPrivateNameImportsContract",
        "views_own_app_models: tests.architecture.contracts.ViewsOwnAppModelsContract",
    ]

``lint-imports`` puts the current directory on ``sys.path``, so from the
repository root ``tests.architecture.contracts`` is importable; this module
imports nothing of the shop (and so no Django settings).

The rules
---------

``no_private_name_imports``
    No module imports a name starting with ``_`` from another module:
    ``from orders.services import _event`` and ``import catalog._x`` are
    violations, and so is reaching past the import (``from orders import
    services`` then ``services._event()``). Dunder names (``__version__``)
    are public. A private *submodule* may still be imported from inside its
    own parent package
    (``catalog/selectors/listing.py`` may import ``catalog.selectors._sql``),
    as import-linter's own ``private_modules`` contract allows. Importing from
    one's own package ``__init__`` is importing from another module. Only
    imports of the root packages' modules are checked: what a third-party
    library calls private is that library's business.

``views_own_app_models``
    A view module of app X (named ``views``, ``*_views`` or inside a
    ``views`` package) does not import ``Y.models`` (the module or names from
    it) of another app Y among the root packages; it asks Y's selectors and
    services instead.

Both print every violation as ``path:line`` with the import, and take:

``ignore``
    Known violations, one ``importer -> imported`` a line, as printed (no line
    numbers, so an entry survives edits above it). Each entry is a debt to
    pay: once the import is gone, the stale entry is reported.
``unmatched_ignore_imports_alerting``
    ``error`` (default: a stale entry breaks the contract, so the list
    shrinks as the code is fixed), ``warn`` or ``none``, as in import-linter.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, cast

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application.contract_utils import AlertLevel


@dataclass(frozen=True, order=True)
class Violation:
    """One import that breaks a rule: where it is and what it imports."""

    path: Path
    line: int
    importer: str
    imported: str

    @property
    def key(self) -> str:
        """How an ``ignore`` entry names it: without the line, which moves."""
        return f"{self.importer} -> {self.imported}"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.key}"


@dataclass(frozen=True)
class _Module:
    name: str
    path: Path
    is_package: bool

    @property
    def package(self) -> str:
        """The package that relative imports in this module start from."""
        return self.name if self.is_package else self.name.rpartition(".")[0]

    @cached_property
    def tree(self) -> ast.Module:
        return ast.parse(self.path.read_text(encoding="utf-8"), filename=str(self.path))


@dataclass(frozen=True)
class _Import:
    """One imported name: ``from source import name`` or ``import source``."""

    line: int
    source: str
    name: str | None  # None for a plain ``import source``
    type_only: bool = False  # under ``if TYPE_CHECKING:``: names a type, runs nothing

    @property
    def full_name(self) -> str:
        return f"{self.source}.{self.name}" if self.name else self.source


def is_private(name: str) -> bool:
    """A name starting with ``_`` that is not a dunder.

    >>> [is_private(n) for n in ("_event", "__version__", "event", "__mangled")]
    [True, False, False, True]
    """
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def package_directories(package_names: list[str]) -> dict[str, Path]:
    """The directory of each top-level package, found without importing it."""
    directories = {}
    for name in package_names:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise ValueError(f"{name!r} is not a package on sys.path.")
        directories[name] = Path(next(iter(spec.submodule_search_locations)))
    return directories


def _modules(packages: Mapping[str, Path]) -> Iterator[_Module]:
    for package, directory in sorted(packages.items()):
        for path in sorted(directory.rglob("*.py")):
            parts = [package, *path.relative_to(directory).with_suffix("").parts]
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            yield _Module(name=".".join(parts), path=path, is_package=is_package)


def _imports(module: _Module) -> Iterator[_Import]:
    """Every import in the module, also inside functions and ``if TYPE_CHECKING``
    (marked ``type_only``)."""
    typing_lines = _type_checking_lines(module.tree)
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield _Import(node.lineno, alias.name, None, node.lineno in typing_lines)
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node.module, node.level)
            for alias in node.names:
                if alias.name != "*":
                    yield _Import(node.lineno, source, alias.name, node.lineno in typing_lines)


def _type_checking_lines(tree: ast.AST) -> set[int]:
    """The lines inside the body of ``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
            (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
            or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
        ):
            for statement in node.body:
                lines.update(range(statement.lineno, (statement.end_lineno or statement.lineno) + 1))
    return lines


def _resolve(module: _Module, target: str | None, level: int) -> str:
    """The absolute name ``from <level dots><target> import ...`` refers to."""
    if not level:
        return target or ""
    base = module.package.split(".")
    if level > 1:
        base = base[: -(level - 1)]
    return ".".join([*base, target] if target else base)


def _display(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


def _module_attributes(module: _Module, known: set[str]) -> Iterator[_Import]:
    """``services._event`` where ``services`` names a module of the packages.

    Catches the dodge ``from orders import services; services._event(...)``.
    Names are bound by the module's imports, wherever they are (no scoping).
    """
    bound: dict[str, str] = {}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bound[alias.asname] = alias.name
                else:
                    top = alias.name.partition(".")[0]
                    bound[top] = top
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node.module, node.level)
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{source}.{alias.name}"
    for node in ast.walk(module.tree):
        if not (isinstance(node, ast.Attribute) and is_private(node.attr)):
            continue
        chain: list[str] = []
        value: ast.expr = node.value
        while isinstance(value, ast.Attribute):
            chain.insert(0, value.attr)
            value = value.value
        if isinstance(value, ast.Name) and value.id in bound:
            owner = ".".join([bound[value.id], *chain])
            if owner in known and owner != module.name:
                yield _Import(line=node.lineno, source=owner, name=node.attr)


def private_name_imports(packages: Mapping[str, Path]) -> list[Violation]:
    """Imports, in the given packages, of a private name of another module.

    ``packages`` maps each top-level package name to its directory.
    """
    modules = list(_modules(packages))
    known = {module.name for module in modules}
    violations = []
    for module in modules:
        for imported in [*_imports(module), *_module_attributes(module, known)]:
            if imported.source.partition(".")[0] not in packages:
                continue  # a third-party or standard library's privacy is its own
            parts = imported.full_name.split(".")
            for index, part in enumerate(parts):
                if not is_private(part):
                    continue
                private = ".".join(parts[: index + 1])
                parent = ".".join(parts[:index])
                if private in known and _within(module.name, parent):
                    continue  # a private submodule used inside its own package
                violations.append(
                    Violation(_display(module.path), imported.line, module.name, imported.full_name)
                )
                break
    return sorted(set(violations))


def is_view_module(name: str) -> bool:
    """``X.views``, ``X.account_views``, or anything in a ``views`` package.

    >>> [is_view_module(n) for n in ("orders.views", "orders.account_views", "catalog.views.list")]
    [True, True, True]
    >>> [is_view_module(n) for n in ("orders.services", "orders", "orders.previews")]
    [False, False, False]
    """
    parts = name.split(".")[1:]
    return any(part == "views" or part.endswith("_views") for part in parts)


def views_importing_other_apps_models(packages: Mapping[str, Path]) -> list[Violation]:
    """Imports of ``Y.models`` (or of a name from it) by a view module of another app.

    A view may name the type of what another app's selector or service hands
    it, in an annotation: an import under ``if TYPE_CHECKING:`` runs nothing
    and is allowed. ``packages`` maps each top-level package (an app) to its
    directory.
    """
    violations = []
    for module in _modules(packages):
        if not is_view_module(module.name):
            continue
        app = module.name.partition(".")[0]
        for imported in _imports(module):
            if imported.type_only:
                continue
            parts = imported.full_name.split(".")
            if len(parts) > 1 and parts[1] == "models" and parts[0] in packages and parts[0] != app:
                violations.append(
                    Violation(_display(module.path), imported.line, module.name, imported.full_name)
                )
    return sorted(violations)


class _SourceContract(Contract):
    """What both contracts share: the ``ignore`` list and the rendering."""

    ignore = fields.ListField(subfield=fields.StringField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(AlertLevel, default=AlertLevel.ERROR)

    heading = ""

    def find(self, packages: Mapping[str, Path]) -> list[Violation]:
        """The violations in these packages; each contract type says what it finds."""
        raise NotImplementedError  # abstract: the two contracts below implement it

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        root_packages = self.session_options.get("root_packages") or [self.session_options["root_package"]]
        violations = self.find(package_directories(list(root_packages)))
        output.verbose_print(verbose, f"Found {len(violations)} import(s) against the rule.")

        ignore = [" ".join(entry.split()) for entry in cast(list[str] | None, self.ignore) or []]
        ignored = [violation for violation in violations if violation.key in ignore]
        broken = [violation for violation in violations if violation.key not in ignore]
        stale = sorted(set(ignore) - {violation.key for violation in ignored})
        alerting = cast(AlertLevel, self.unmatched_ignore_imports_alerting)
        warnings = []
        if alerting is AlertLevel.WARN:
            warnings = [f"No import matches the ignore entry '{entry}'." for entry in stale]
        if alerting is not AlertLevel.ERROR:
            stale = []
        return ContractCheck(
            kept=not broken and not stale,
            metadata={"violations": broken, "stale": stale},
            warnings=warnings,
            ignored_import_count=len(ignored),
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        metadata: dict[str, Any] = check.metadata
        if metadata["violations"]:
            output.print_error(self.heading, bold=False)
            output.new_line()
            for violation in metadata["violations"]:
                output.print_error(f"- {violation}", bold=False)
            output.new_line()
        if metadata["stale"]:
            output.print_error("These ignore entries match no import any more; remove them:", bold=False)
            output.new_line()
            for entry in metadata["stale"]:
                output.print_error(f"- {entry}", bold=False)
            output.new_line()


class NoPrivateNameImportsContract(_SourceContract):
    """No module imports a name starting with ``_`` from another module."""

    heading = "A private name (starting with '_') is imported from another module:"

    def find(self, packages: Mapping[str, Path]) -> list[Violation]:
        return private_name_imports(packages)


class ViewsOwnAppModelsContract(_SourceContract):
    """Views do not import the models of another app."""

    heading = "A view imports the models of another app (ask that app's selectors or services):"

    def find(self, packages: Mapping[str, Path]) -> list[Violation]:
        return views_importing_other_apps_models(packages)
