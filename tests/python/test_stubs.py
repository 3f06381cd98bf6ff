"""The installed stubs (`cape/_cape.pyi`, `py.typed`) describe exactly what the native module has."""

from __future__ import annotations

import ast
import pathlib

import pytest

import cape
from cape import _cape

PACKAGE = pathlib.Path(cape.__file__).parent
STUB = ast.parse((PACKAGE / "_cape.pyi").read_text(encoding="utf-8"))
STUB_CLASSES = {node.name: node for node in STUB.body if isinstance(node, ast.ClassDef)}


def public(names: object) -> set[str]:
    return {n for n in names if not n.startswith("_")}  # type: ignore[attr-defined]


def test_py_typed_is_installed() -> None:
    assert (PACKAGE / "py.typed").exists()


def test_module_level_names_match() -> None:
    stubbed: set[str] = set(STUB_CLASSES)
    for node in STUB.body:
        if isinstance(node, ast.FunctionDef):
            stubbed.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            stubbed.add(node.target.id)
    runtime = {n for n in dir(_cape) if not n.startswith("__")} | {"__version__"}
    assert stubbed == runtime


@pytest.mark.parametrize("name", sorted(n for n, c in STUB_CLASSES.items() if not n.endswith("Error")))
def test_class_members_match(name: str) -> None:
    node = STUB_CLASSES[name]
    stubbed = public(item.name for item in node.body if isinstance(item, ast.FunctionDef))
    runtime = public(dir(getattr(_cape, name)))
    assert stubbed == runtime


def test_every_stubbed_function_is_documented() -> None:
    for node in ast.walk(STUB):
        if isinstance(node, (ast.ClassDef,)) or (
            isinstance(node, ast.FunctionDef) and node.name in {"check_digit", "read_es003", "run_cli"}
        ):
            assert ast.get_docstring(node), node.name
