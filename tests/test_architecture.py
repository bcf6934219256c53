"""The rules of docs/architecture.md, checked on every module's imports.

- the domain (`core`) imports no surface, no adapter and nothing of the web;
- a web surface (a blueprint package) imports no other surface, web or command line;
- a command module (`cli.py`, `<package>/cli.py`) imports no web surface;
- the adapters (`printing` without its admin pages, `demo` and `exports` without their commands,
  `notices`,
  `ops/backup.py`) import no surface; the print agent imports nothing of the project;
- of the application's modules, only `wsgi.py` imports the factory.
"""

import ast

import pytest

from conftest import PROJECT_DIR

SKIPPED = {"tests", "bench", "migrations", "scripts", ".venv", "instance", "node_modules"}
WEB_SURFACES = {
    "admin", "api", "auth", "dashboard", "desk", "display", "dossiers", "kiosk", "ops",
    "privacy", "processing", "public", "rating", "printing.admin",
}  # fmt: skip
FACTORY = {"app", "wsgi", "gunicorn.conf"}  # gunicorn.conf.py: the server's limits, imports nothing
WEB_SHARED = {"web", "errors", "security"}
ADAPTERS = {"printing", "demo", "ops.backup", "exports", "notices"}
BASE = {"config", "extensions"}


def project_modules() -> dict[str, ast.Module]:
    modules = {}
    for path in PROJECT_DIR.rglob("*.py"):
        relative = path.relative_to(PROJECT_DIR)
        if relative.parts[0] in SKIPPED or any(part.startswith(".") for part in relative.parts):
            continue
        name = ".".join(relative.with_suffix("").parts)
        name = name.removesuffix(".__init__")
        modules[name] = (ast.parse(path.read_text()), path.name == "__init__.py")
    return modules


MODULES = project_modules()
TOP_LEVEL = {name.split(".")[0] for name in MODULES}


def imported(name: str, tree: ast.Module, is_package: bool) -> set[str]:
    """The project modules `name` imports (relative imports resolved)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return {module for module in found if module.split(".")[0] in TOP_LEVEL}


def within(module: str, packages: set[str]) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


def kind_of(module: str) -> str:
    if module in FACTORY:
        return "factory"
    if module == "cli" or module.endswith(".cli"):
        return "command line"
    if within(module, {"printing.admin"}):
        return "web surface"
    if within(module, {"core"}):
        return "domain"
    if within(module, {"agent"}):
        return "print agent"
    if within(module, ADAPTERS):
        return "adapter"
    if within(module, WEB_SHARED):
        return "web shared"
    if within(module, WEB_SURFACES):
        return "web surface"
    if module in BASE:
        return "base"
    raise AssertionError(f"{module} has no place in docs/architecture.md")


def surface_of(module: str) -> str:
    """The blueprint package a web-surface module belongs to."""
    return "printing.admin" if within(module, {"printing.admin"}) else module.split(".")[0]


def broken_rules(module: str, target: str) -> str | None:
    source_kind, target_kind = kind_of(module), kind_of(target)
    if target_kind == "factory" and source_kind != "factory":
        return "only wsgi.py imports the factory"  # (tests and benchmarks build apps too)
    if source_kind == "domain" and target_kind not in ("domain", "base"):
        return (
            f"the domain imports the {target_kind}"
            if target_kind == "command line"
            else (f"the domain imports {'an' if target_kind[0] in 'aeiou' else 'a'} {target_kind}")
        )
    if source_kind == "print agent" and target_kind != "print agent":
        return "the print agent imports nothing of the project"
    if source_kind == "adapter" and target_kind == "web shared":
        return f"adapter module {module} imports {target}"
    if source_kind in ("adapter", "web shared") and target_kind in ("web surface", "command line"):
        return f"{source_kind} module {module} imports {target}"
    if source_kind == "web surface" and target_kind == "command line":
        return "a web surface imports the command line"
    if (source_kind, target_kind) == ("web surface", "web surface") and (
        surface_of(module) != surface_of(target)
    ):
        return "one web surface imports another"
    if source_kind == "command line" and target_kind == "web surface":
        return "the command line imports a web surface"
    return None


def test_every_module_has_a_place():
    for module in MODULES:
        assert kind_of(module)


def test_the_modules_are_found():
    assert {"core.queue.issuing", "printing.jobs", "dossiers.views", "cli", "app"} <= set(MODULES)
    assert kind_of("printing.jobs") == "adapter" and kind_of("printing.admin.views") == (
        "web surface"
    )
    assert kind_of("dossiers.cli") == "command line" and kind_of("core.models") == "domain"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_keeps_the_import_rules(module):
    tree, is_package = MODULES[module]
    problems = []
    for target in sorted(imported(module, tree, is_package)):
        # `from package import name` names a module or an attribute; judge the module.
        while target not in MODULES and "." in target:
            target = target.rsplit(".", 1)[0]
        rule = broken_rules(module, target)
        if rule:
            problems.append(f"{module} imports {target}: {rule}")
    assert problems == []


@pytest.mark.parametrize(
    ("module", "target", "rule"),
    [
        ("core.queue.calling", "desk.views", "the domain imports a web surface"),
        ("core.reports.reform", "printing.jobs", "the domain imports an adapter"),
        ("core.audit", "cli", "the domain imports the command line"),
        ("core.audit", "app", "only wsgi.py imports the factory"),
        ("desk.views", "dossiers.views", "one web surface imports another"),
        ("api.views", "admin.common", "one web surface imports another"),
        ("dossiers.cli", "dossiers.views", "the command line imports a web surface"),
        (
            "printing.jobs",
            "printing.admin.views",
            "adapter module printing.jobs imports printing.admin.views",
        ),
        ("agent.print_agent", "core.clock", "the print agent imports nothing of the project"),
        ("demo.history", "web.commit", "adapter module demo.history imports web.commit"),
    ],
)
def test_the_rules_catch_what_they_forbid(module, target, rule):
    assert broken_rules(module, target) == rule


def test_the_domain_never_touches_the_request():
    """Of Flask, the domain reads only the app's configuration (`current_app`)."""
    for module, (tree, _) in MODULES.items():
        if kind_of(module) != "domain":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in ("flask", "flask_login"):
                names = {alias.name for alias in node.names}
                assert names <= {"current_app", "UserMixin"}, (module, names)


def test_what_is_allowed_stays_allowed():
    for module, target in [
        ("api.views", "printing.ticket_hook"),
        ("dossiers.admin", "dossiers.forms"),
        ("printing.admin.views", "printing.jobs"),
        ("demo.cli", "cli"),
        ("web.roles", "core.models"),
        ("core.queue.issuing", "extensions"),
    ]:
        assert broken_rules(module, target) is None, (module, target)
