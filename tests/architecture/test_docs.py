"""docs/architecture.md names the steps of the main flows as ``file.py: name``;
each must exist, so the page stays true when code moves."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STEP = re.compile(r"`([\w/]+\.py): (\w+)`")


def _defined(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_every_step_the_architecture_page_names_exists():
    steps = STEP.findall((ROOT / "docs" / "architecture.md").read_text())

    missing = [
        f"{file}: {name}"
        for file, name in steps
        if not (ROOT / file).is_file() or name not in _defined(ROOT / file)
    ]

    assert len(steps) > 40
    assert missing == []


def test_the_check_finds_a_step_that_is_gone(tmp_path):
    module = tmp_path / "flow.py"
    module.write_text("def present():\n    pass\n\nTABLE = {}\nKINDS: dict[str, int] = {}\n")

    assert _defined(module) == {"present", "TABLE", "KINDS"}
    assert STEP.findall("`orders/checkout/placement.py: order_place` and `a.py: b`") == [
        ("orders/checkout/placement.py", "order_place"),
        ("a.py", "b"),
    ]
