"""The READMEs' Python examples run as written, against the file they say to make (`cape sample --output
es003.csv`), in a fresh folder each; the tqdm recipe runs with a stand-in `tqdm` that checks the bar reaches
100 % of the file's size in bytes."""

from __future__ import annotations

import os
import re
import sys
import types
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from cape import _cape

REPO = Path(__file__).resolve().parents[2]


def python_blocks(readme: Path) -> List[str]:
    return re.findall(r"^```python\n(.*?)^```", readme.read_text(encoding="utf-8"), flags=re.S | re.M)


class FakeTqdm:
    """What the recipe uses of `tqdm.tqdm`: a context manager with `total`, `n` and `update(k)`."""

    made: List["FakeTqdm"] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.total: Optional[int] = kwargs.get("total")
        self.n = 0
        self.updates: List[int] = []
        self.kwargs = kwargs
        FakeTqdm.made.append(self)

    def update(self, k: int) -> None:
        assert k >= 0, "progress never goes back"
        self.n += k
        self.updates.append(k)

    def __enter__(self) -> "FakeTqdm":
        return self

    def __exit__(self, *exc: object) -> None:
        return None


@pytest.fixture
def in_sample_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert _cape.run_cli(["sample", "--output", "es003.csv"]) == 0
    fake = types.ModuleType("tqdm")
    fake.tqdm = FakeTqdm  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tqdm", fake)
    FakeTqdm.made = []
    return tmp_path


@pytest.mark.parametrize("readme", ["README.md", "cape-py/README.md"])
def test_readme_python_blocks_run(readme: str, in_sample_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocks = python_blocks(REPO / readme)
    assert blocks, readme
    namespace: Dict[str, Any] = {"__name__": "readme"}  # a block's `if __name__ == "__main__":` does not run
    for block in blocks:
        exec(compile(block, f"{readme} block", "exec"), namespace)
    if readme == "README.md":
        assert (in_sample_folder / "out" / "declarations" / "manifest.csv").is_file()
        assert "483.05" in capsys.readouterr().out


def test_tqdm_recipe_shows_a_percentage(in_sample_folder: Path) -> None:
    blocks = [b for b in python_blocks(REPO / "cape-py" / "README.md") if "tqdm" in b]
    assert len(blocks) == 1
    namespace: Dict[str, Any] = {"__name__": "readme"}
    exec("import datetime\nimport cape\n" + blocks[0], namespace)
    (bar,) = FakeTqdm.made
    size = os.path.getsize("es003.csv")
    assert bar.kwargs.get("unit") == "B"
    assert bar.total == size, "the total is the file's size in bytes"
    assert bar.n == size, "the bar ends at 100 %"
    assert len(namespace["report"]) == 1000  # `cape sample`'s default
