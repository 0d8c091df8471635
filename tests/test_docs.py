"""The documentation site builds with ``mkdocs build --strict`` (no broken link, no missing
page, no docstring the API reference cannot read), and every page in the nav exists."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("mkdocs") is None and not (
    Path(sys.executable).parent / "mkdocs").exists(), reason="mkdocs is not installed")  # fmt: skip


def test_the_site_builds_strictly(tmp_path):
    mkdocs = shutil.which("mkdocs") or str(Path(sys.executable).parent / "mkdocs")
    done = subprocess.run(
        [mkdocs, "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": str(Path(sys.executable).parent)},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (tmp_path / "site" / "api" / "index.html").read_text().count("doc-heading") > 50
    assert (
        "Claims, settled by experiment" in (tmp_path / "site" / "claims" / "index.html").read_text()
    )


def test_every_nav_page_exists_and_no_page_points_users_at_design_notes():
    nav = re.findall(r":\s*([\w-]+\.md)\s*$", (ROOT / "mkdocs.yml").read_text(), re.M)
    assert len(nav) >= 12
    for page in nav:
        text = (ROOT / "docs" / page).read_text(encoding="utf-8")
        assert "SCIENCE.md" not in text and "DESIGN.md" not in text, page
