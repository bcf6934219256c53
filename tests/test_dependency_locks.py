"""The locks agree with what they are made from: every direct dependency of requirements.in
and requirements-dev.in is pinned at its version in its lock, every locked package has
hashes, and the development lock holds the runtime's packages at the runtime lock's versions
and hashes (`make lock` makes both; docs/security.md, "Dependencies")."""

import re
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
LOCK_COMMAND = "uv pip compile --universal --generate-hashes --python-version 3.11"
REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]+\])?==(?P<version>\S+)$")
LOCKED = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]+\])?==(?P<version>[^\s;\\]+)"
    r"(?:\s*;\s*(?P<marker>[^\\]+?))?\s*\\\n(?P<hashes>(?:\s+--hash=sha256:[0-9a-f]{64}\s*\\?\n?)+)",
    re.M,
)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def directs(path: Path) -> dict[str, str]:
    """The pinned requirements of an .in file, by canonical name; -r and -c lines aside."""
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith(("-r ", "-c ")):
            continue
        match = REQUIREMENT.match(line)
        assert match, f"{path.name}: {line!r} is not NAME==VERSION"
        found[canonical(match["name"])] = match["version"]
    return found


def locked(path: Path) -> dict[str, tuple[str, frozenset[str]]]:
    """Every package of a lock: its version and its hashes, by canonical name."""
    text = path.read_text()
    packages = {
        canonical(match["name"]): (
            match["version"],
            frozenset(re.findall(r"sha256:(\w+)", match["hashes"])),
        )
        for match in LOCKED.finditer(text)
    }
    requirement_lines = [
        line for line in text.splitlines() if line and not line.startswith((" ", "#"))
    ]
    assert len(requirement_lines) == len(packages), (
        f"{path.name}: every package is pinned with == and has its hashes"
    )
    return packages


@pytest.mark.parametrize(
    ("source", "lock"),
    [("requirements.in", "requirements.txt"), ("requirements-dev.in", "requirements-dev.txt")],
)
def test_every_direct_dependency_is_locked_at_its_version(source, lock):
    packages = locked(PROJECT / lock)
    for name, version in directs(PROJECT / source).items():
        assert name in packages, f"{name} of {source} is missing from {lock}: run make lock"
        assert packages[name][0] == version, (
            f"{name}: {source} says {version}, {lock} says {packages[name][0]}"
        )
        assert packages[name][1], f"{name} has no hash in {lock}"


def test_the_development_lock_installs_the_runtime_as_locked():
    runtime = locked(PROJECT / "requirements.txt")
    development = locked(PROJECT / "requirements-dev.txt")
    for name, (version, hashes) in runtime.items():
        assert name in development, f"{name} is in requirements.txt, not in requirements-dev.txt"
        assert development[name] == (version, hashes), f"{name} differs between the two locks"
    source = (PROJECT / "requirements-dev.in").read_text().splitlines()
    assert "-r requirements.in" in source and "-c requirements.txt" in source


def test_the_locks_are_the_ones_make_lock_writes():
    makefile = (PROJECT / "Makefile").read_text()
    for source, lock in (
        ("requirements.in", "requirements.txt"),
        ("requirements-dev.in", "requirements-dev.txt"),
    ):
        assert f"$(LOCK) {source} -o {lock}" in makefile
        header = (PROJECT / lock).read_text().splitlines()[1]
        assert header.strip() == f"#    {LOCK_COMMAND} {source} -o {lock}"
