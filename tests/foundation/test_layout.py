"""The README's layout section matches the tree: every app is in it, every services package is named
with its modules, and nothing it names is missing from the tree."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _layout() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("## Layout\n", 1)[1].split("\n## ", 1)[0]


def test_every_app_and_only_existing_folders_are_in_the_layout():
    block = _layout().split("```")[1]
    named = {
        m for line in block.splitlines() for m in re.findall(r"(?:^|\s)([a-z_]+(?:/[a-z_]+)*)/(?=\s)", line)
    }
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps <= named, sorted(apps - named)
    assert all((ROOT / name).is_dir() for name in named), sorted(n for n in named if not (ROOT / n).is_dir())


def test_every_services_package_is_named_with_its_modules():
    text = " ".join(_layout().split())
    packages = sorted(path.parent for path in ROOT.glob("*/services/__init__.py"))
    assert packages, "no services package found"
    for package in packages:
        app = package.parent.name
        match = re.search(rf"`{app}/services/` \(([^)]*(?:\([^)]*\)[^)]*)*)\)", text)
        assert match, f"{app}/services/ is not in the README's layout"
        modules = {p.stem for p in package.glob("*.py")} - {"__init__"}
        missing = {m for m in modules if not re.search(rf"\b{m}\b", match.group(1))}
        assert not missing, f"{app}/services/: {sorted(missing)} not named"


def test_no_services_module_passes_about_500_lines():
    """Past ~500 lines a services module becomes a package split by area (issue #12); 550 leaves the ~."""
    modules = [*ROOT.glob("*/services.py"), *ROOT.glob("*/services/*.py")]
    assert len(modules) > 10
    long = {str(p.relative_to(ROOT)): n for p in modules if (n := len(p.read_text().splitlines())) > 550}
    assert not long, long
