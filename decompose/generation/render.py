"""Layout -> files: every generated file's path (under --out) and exact bytes, in sorted order.

    shared/                 the shared kernel as a Lambda layer project (python/ holds the code,
                            including decompose_runtime: bridge, wire format, clients, internal endpoint)
    <service>/              a Chalice project per service: app.py, chalicelib/ (src/: the service's
                            code under the monolith's module names; clients/; framework.py; internal.py),
                            .chalice/config.json, layer.json and policy-<stage>.json (its IAM role: logs,
                            and execute-api:Invoke on the internal routes it calls), requirements.txt, tests/
    generation.json         the generation report (what `decompose generate --json` prints)
Templates come from templates/generate and render in a sandboxed Jinja environment.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import libcst as cst
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from decompose.analysis.discovery import MIGRATION_DIRS
from decompose.analysis.model import concrete
from decompose.contracts import SERVICE_RUNTIME
from decompose.contracts.settings import Settings
from decompose.generation import classify, cwdpaths, django, known, ownmeta, policy, scriptdirs, suitecall
from decompose.generation import settings as deploy
from decompose.generation.crossings import Crossing, crossings, together
from decompose.generation.layout import Sources
from decompose.generation.model import LAYER, Layout, ModuleView, Proxy, ServiceLayout
from decompose.generation.routes import chalice_routes
from decompose.generation.endpoints import foreign_endpoints
from decompose.generation.source import code
from decompose.generation.runtime import client as runtime_client
from decompose.generation.views import EXTEND_PATH, render_layer_module, render_view
from decompose.resources import templates_dir

IMPLICIT_METHODS = ("HEAD", "OPTIONS")  # answered by every rule of a framework app: its route tests leave them out

RUNTIME = Path(__file__).resolve().parent / "runtime"
STAGES = ("dev", "prod")
ENTRY = "app"  # the module Chalice, `chalice local` and Lambda import a service by (its attribute `app`)
RESERVED_TOPS = frozenset({"chalicelib", "decompose_runtime"})  # the service's own packages, next to the monolith's
RUNTIME_IMPORTS = frozenset({"apig_wsgi", "mangum", "chalice"})  # decompose_runtime's own, pinned from decompose's env
LAMBDA_RUNTIME = deploy.DEFAULT_RUNTIME  # without the monolith's interpreter (see deploy.lambda_runtime)


@dataclass
class Rendered:
    files: dict[str, bytes]
    report: dict


def environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(loader=FileSystemLoader(str(templates_dir() / "generate")), undefined=StrictUndefined,
                                keep_trailing_newline=True, autoescape=False)


def render(layout: Layout, sources: Sources, homes: dict[str, str], plan_file: str, analysis,
           contracts: Settings | None = None, installed: deploy.Installed | None = None,
           dotenv: tuple[str, ...] = ()) -> Rendered:
    """contracts: the plan's [contracts] table; its reset hooks and env keys are all a service's reset
    endpoint will accept (none when it is absent). installed: the monolith's distributions (read in its
    interpreter), which name and pin the requirements (and its Python the Lambda runtime); None: decompose's own
    environment's. dotenv: the files the monolith's settings read (decompose.generation.envfiles), relative
    to the services' folder."""
    env = environment()
    contracts = contracts or Settings()
    files: dict[str, str | bytes] = {}
    tops = {m.split(".")[0] for m in sources.modules}
    refuse_reserved(tops)
    session = _session(sources, layout.layer.modules)
    runtime, why = deploy.lambda_runtime(installed.python if installed else ())
    _string_requirements(layout, sources, installed)
    _render_layer(files, layout, sources, tops, installed, runtime)
    if layout.entry is not None and layout.entry.framework == "django":
        files.update(_django_migrations(analysis, sources.root))
    writers = classify.writers(analysis)
    layer_dists = {r.name for r in deploy.requirements(layout.layer.external, tops, installed)}
    # one read of the suite and the entry module for every service (its tests; its deployed app)
    calls = suitecall.FactoryCalls(_suite_call(analysis, sources.root, layout.entry),
                                   _entry_call(analysis, sources.root, layout.entry), _suite_env(analysis, sources.root, contracts))
    reports = [_render_service(files, env, layout, service, sources, tops, session, plan_file, analysis, homes, writers,
                               layer_dists, contracts, installed, runtime, dotenv, calls) for service in layout.services]
    if layout.entry is not None and layout.entry.framework == "django":
        files.update(_split_namespace_inits(files, [f"{s.name}/chalicelib/src" for s in layout.services]))
    files.update(_layer_subpackages_listed(files, [f"{s.name}/chalicelib/src" for s in layout.services]))
    report = _report(layout, reports, analysis, homes)
    report["shared"]["lambda_runtime"] = {"runtime": runtime, **({"why": why} if why else {})}
    report["scripts"] = [{"module": m, "path": info.path} for m, info in sorted(sources.scripts.items())]  # not shipped
    if installed and installed.serving_problem:
        report["shared"]["lambda_runtime"]["serving"] = installed.serving_problem
    files["generation.json"] = json.dumps(report, indent=2, sort_keys=True) + "\n"
    return Rendered({k: v.encode() if isinstance(v, str) else v for k, v in sorted(files.items())}, report)


def _string_requirements(layout: Layout, sources: Sources, installed: deploy.Installed | None) -> None:
    """What the code imports by name only (Django's INSTALLED_APPS, MIDDLEWARE) joins what it imports."""
    owners = installed.owners if installed else deploy.owners_here()
    layout.layer.external |= deploy.owned_strings((sources.parsed(m) for m in sorted(layout.layer.modules)), owners)
    if layout.entry is not None and layout.entry.framework == "django":
        layout.layer.external |= django.database_drivers(owners)
    for service in layout.services:
        service.external |= deploy.owned_strings((sources.parsed(m) for m in sorted(service.views) if m in sources.modules),
                                                 owners)


# --- the shared layer ------------------------------------------------------------------------------------

def _render_layer(files: dict, layout: Layout, sources: Sources, tops: set[str], installed: deploy.Installed | None,
                  runtime: str) -> None:
    layer = layout.layer
    needed_modules = {m for m, n in layer.needs} | {f"{m}.{n}" for m, n in layer.needs if n}

    def available(module: str, name: str) -> bool:
        sub = f"{module}.{name}"
        if classify.is_submodule(sources, module, name):
            return sub in layer.modules or sub in needed_modules
        return module in layer.modules or module in needed_modules or (module, name) in layer.needs

    is_data = cwdpaths.data_test(sources.root, tops)
    for module in sorted(layer.modules):
        parsed = sources.parsed(module)
        code = render_layer_module(parsed, layer.trees[module], available, lambda m: m.split(".")[0] in tops)
        files[f"shared/python/{sources.dest(module)}"] = cwdpaths.rewrite(code, tops, is_data)
    for path in [*sorted(RUNTIME.glob("*.py")), *SERVICE_RUNTIME]:
        files[f"shared/python/decompose_runtime/{path.name}"] = path.read_bytes()
    for rel, data in _package_data(sources, layer.modules):
        files[f"shared/python/{rel}"] = data
    for rel, data in ownmeta.dist_info(sources.root, installed).items():
        files[f"shared/python/{rel}"] = data
    if layout.entry is not None and layout.entry.framework == "django":
        for rel, data in _root_files(sources, django.base_dir_files(sources, layer.modules)):
            files.setdefault(f"shared/python/{rel}", data)
    for rel, data in _root_files(sources, scriptdirs.script_folders(sources, layer.modules), code=True):
        files.setdefault(f"shared/python/{rel}", data)  # Alembic's env.py and versions/ run from the factory
    for rel, data in _root_files(sources, scriptdirs.alembic_configs(sources, layer.modules)):
        files.setdefault(f"shared/python/{rel}", scriptdirs.anchored(data.decode("utf-8", "replace")).encode())
    ours = _serving(deploy.requirements(RUNTIME_IMPORTS, tops), installed)  # what decompose_runtime needs
    reqs = deploy.requirements(layer.external - RUNTIME_IMPORTS, tops, installed)
    reqs = sorted([r for r in reqs if r.name not in {o.name for o in ours}] + ours, key=lambda r: r.name.lower())
    files["shared/requirements.txt"] = _requirements_text("the shared layer", reqs, installed)
    files["shared/template.yaml"] = _layer_template(layout.project, runtime)


def _serving(ours: list[deploy.Requirement], installed: deploy.Installed | None) -> list[deploy.Requirement]:
    """decompose's own chalice, apig-wsgi and mangum, at the versions that support the services' Python."""
    specs = installed.serving if installed else {}
    return [replace(r, spec=specs.get(deploy.normalise(r.name), "")) for r in ours]


NOT_DATA = (".py", ".pyc", ".pyo", ".db", ".sqlite", ".sqlite3", ".log")  # code, or a developer's database and logs
NOT_DATA_DIRS = {"__pycache__", "tests", *MIGRATION_DIRS}  # Alembic's folder: run by hand, never in a Lambda


def _package_data(sources: Sources, modules: Iterable[str]) -> list[tuple[str, bytes]]:
    """Non-Python files beside the modules, where the code finds them with `Path(__file__).parent`:
    those in each module's package folder (a schema.sql, a settings.yaml) and in its folders that are
    not packages (templates/, static/, sql/), copied as they are, under the module's generated folder
    (its dotted name: see Sources.dest). Hidden files are left out."""
    found: dict[str, bytes] = {}
    folders = {(sources.root / sources.modules[m].path).parent: Path(sources.dest(m)).parent for m in sorted(modules)}
    for folder, dest in sorted(folders.items()):
        if not (folder / "__init__.py").is_file():
            continue  # the project root or a namespace folder: not the module's own data
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith(".") and not path.name.endswith(NOT_DATA):
                found[(dest / path.name).as_posix()] = path.read_bytes()
            elif path.is_dir() and not (path / "__init__.py").exists() and path.name not in NOT_DATA_DIRS \
                    and not path.name.startswith("."):
                for file in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")):
                    found[(dest / file.relative_to(folder)).as_posix()] = file.read_bytes()
    return sorted(found.items())


def _django_migrations(analysis, root: Path) -> dict[str, bytes]:  # noqa: ANN001
    """Every Django app's migrations, as they are, in the layer: each service makes the test database
    the suite's runner makes (decompose_runtime.django_data), with the same schema and data migrations.
    Without them every app was unmigrated, its tables made from the models before the migrated apps'
    (PostgreSQL refused kuma's foreign keys to auth_user, a table not made yet)."""
    found = {}
    for module in analysis.modules:
        if module.role == "migration" and "migrations" in module.path.split("/")[:-1]:
            dest = module.name.replace(".", "/") + ("/__init__.py" if module.is_package else ".py")
            found[f"shared/python/{dest}"] = (Path(root) / module.path).read_bytes()
    return found


def _split_namespace_inits(files: dict, service_roots: list[str]) -> dict[str, str]:
    """An `__init__.py` (extending its path) for every package folder without one that the layer and a
    service both hold: Django refuses an app that is a namespace package in several folders ("has
    multiple filesystem locations": kuma.plus, split between the layer and a service); with an
    `__init__` it has a file, and Django takes its folder."""
    def folders(root: str) -> set[str]:
        return {str(Path(name).parent.relative_to(root)) for name in files
                if name.startswith(root + "/") and name.endswith(".py")} - {"."}

    layer = folders("shared/python")
    found = {}
    for root in service_roots:
        for folder in sorted(folders(root) & layer):
            inits = [f"{where}/{folder}/__init__.py" for where in (root, "shared/python")]
            if not any(init in files for init in inits):  # a package of the monolith keeps its own __init__
                found.update(dict.fromkeys(inits, EXTEND_PATH))
    return found


LAYER_MARKER = "IN_THE_LAYER.txt"


def _layer_subpackages_listed(files: dict, service_roots: list[str]) -> dict[str, str]:
    """A marker folder, in a service's copy of a package split over layer and service, for each subpackage
    that only the layer holds: code listing its own package's folder (`os.path.dirname(__file__)`: CTFd's
    `get_plugin_names`, which loads every plugin it finds) then finds what it finds in the monolith. The
    folder holds no `__init__.py`: an import of the subpackage still finds the layer's regular package."""
    layer = _subpackages("shared/python", files)
    found = {}
    for root in service_roots:
        split = [str(Path(name).parent.relative_to(root)) for name, text in files.items()
                 if name.startswith(root + "/") and name.endswith("/__init__.py") and isinstance(text, str)
                 and EXTEND_PATH in text]
        own = _subpackages(root, files)
        for package in sorted(split):
            for sub in sorted(layer.get(package, set()) - own.get(package, set())):
                found[f"{root}/{package}/{sub}/{LAYER_MARKER}"] = (
                    f"{package.replace('/', '.')}.{sub} is in the shared layer; this folder only lists it beside this "
                    "service's copy of its package, as the monolith's folder does (decompose).\n")
    return found


def _subpackages(root: str, files: dict) -> dict[str, set[str]]:
    """package folder (relative to root) -> the names of the subpackages under it that have an __init__.py."""
    found: dict[str, set[str]] = defaultdict(set)
    for name in files:
        if name.startswith(root + "/") and name.endswith("/__init__.py"):
            parts = Path(name).parent.relative_to(root).parts
            if len(parts) > 1:
                found["/".join(parts[:-1])].add(parts[-1])
    return found


def _root_files(sources: Sources, paths: list[str], code: bool = False) -> list[tuple[str, bytes]]:
    """Project-root files and folders the layer's code opens (Django: those the settings name from BASE_DIR),
    as they are; code, databases and logs are left out as for package data, unless `code` (an Alembic
    folder's env.py and versions/ are what it holds)."""
    left_out = (".pyc", ".pyo") if code else NOT_DATA
    found: dict[str, bytes] = {}
    for rel in paths:
        path = sources.root / rel
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            inner = file.relative_to(sources.root)
            if not file.name.endswith(left_out) and not any(part.startswith(".") or part == "__pycache__" for part in inner.parts):
                found[inner.as_posix()] = file.read_bytes()
    return sorted(found.items())


def _layer_template(project: str, runtime: str) -> str:
    runtimes = f"        - {runtime}"  # the pins were resolved for this Python: their wheels fit it alone
    return f"""AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: The shared kernel of {project} as a Lambda layer (generated by decompose).
Resources:
  SharedLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      LayerName: {_slug(project)}-shared
      Description: Shared kernel, ORM schema and decompose_runtime for every {project} service.
      ContentUri: .
      CompatibleRuntimes:
{runtimes}
      RetentionPolicy: Retain
Outputs:
  SharedLayerArn:
    Description: Pass it to every service stack as SharedLayerArn.
    Value: !Ref SharedLayer
"""


# --- one service -----------------------------------------------------------------------------------------

def _render_service(files: dict, env: SandboxedEnvironment, layout: Layout, service: ServiceLayout, sources: Sources,
                    tops: set[str], session: dict | None, plan_file: str, analysis, homes: dict[str, str],
                    writers: set[str], layer_dists: set[str], contracts: Settings, installed: deploy.Installed | None,
                    runtime: str, dotenv: tuple[str, ...] = (), calls: suitecall.FactoryCalls = suitecall.FactoryCalls()) -> dict:
    base = _slug(service.name)
    by_owner = _remote_by_owner(service)
    clients = _client_names(by_owner)

    def client_module(proxy: Proxy) -> str:
        return f"chalicelib.clients.{_module_name(proxy.owner)}:{clients[proxy.target]}"

    def available(module: str, name: str) -> bool:
        return _available(layout, service, sources, module, name)

    is_data = cwdpaths.data_test(sources.root, tops)
    for module, view in sorted(service.views.items()):
        parsed = sources.parsed(module) if view.own else None
        note = _note(service.name, module, view)
        code = render_view(parsed, view, available, client_module, lambda m: m.split(".")[0] in tops, note,
                           real=lambda module, name: _real(layout, service, sources, module, name),
                           urlconf=module in service.urlconfs)
        files[f"{base}/chalicelib/src/{sources.dest(module)}"] = cwdpaths.rewrite(code, tops, is_data)
    for rel, data in _package_data(sources, [m for m, view in service.views.items() if view.own]):
        files[f"{base}/chalicelib/src/{rel}"] = data
    files[f"{base}/chalicelib/__init__.py"] = f'"""Service {service.name}: generated by decompose."""\n'
    _render_clients(files, env, base, service, by_owner, clients, writers)
    entry = layout.entry
    if entry is None:
        raise_no_entry(layout)
    framework = entry.framework
    routes = chalice_routes(service.routes, every_method=framework == "django")  # Django answers its own 405s
    files[f"{base}/app.py"] = env.get_template("service/app.py.j2").render(
        service=service.name, routes=routes, route_count=sum(len(r.methods) for r in service.routes), plan_file=plan_file, exposed=bool(service.exposed),
        bridge="WsgiBridge" if framework in ("flask", "django") else "AsgiBridge", app_name=f"{_slug(layout.project)}-{base}",
        reset_hooks=sorted(contracts.reset), reset_env=_reset_env(contracts.env, framework), steps_aside=ENTRY in tops,
        django=framework == "django",
        dotenv=[path.split("/") for path in dotenv])
    models, errors = known.models(sources), known.errors(layout, service, sources, analysis)
    if framework == "django":
        files[f"{base}/chalicelib/framework.py"] = env.get_template("service/framework_django.py.j2").render(
            service=service.name, settings=entry.element.split(":")[0],
            root=django.root_urlconf(sources, entry.element.split(":")[0]), models=models, errors=errors)
    else:
        registrations = [_registration(r, framework) for r in service.registrations]
        files[f"{base}/chalicelib/framework.py"] = env.get_template("service/framework.py.j2").render(
            service=service.name, framework=framework, entry=entry, entry_module=entry.element.split(":")[0],
            entry_name=entry.element.split(":")[1], session=session, entry_call=calls.entry,
            registrations=[r for r in registrations if not r["holder"]],
            mounts=_mounts(registrations, [_registration(r, framework) for r in service.named]),
            models=models, errors=errors, foreign=_foreign(layout, service, sources, analysis, homes) if framework == "flask" else [],
            working_folders=cwdpaths.working_folders(sources.root, tops), **_hooks(service))
    if service.exposed:
        files[f"{base}/chalicelib/internal.py"] = _internal(env, service, setup=framework == "django")
    env_vars = _env_vars(layout, service, sources)
    sizing = deploy.sizing(h.kind for h in analysis.hazards if homes.get(h.symbol) == service.name)
    files[f"{base}/.chalice/config.json"] = _config(layout, service, env_vars, sizing)
    called = sorted({p.target for p in service.proxies() if p.kind == "client"})
    for stage in STAGES:
        files[f"{base}/.chalice/policy-{stage}.json"] = policy.render(stage, called)
    files[f"{base}/.chalice/layer.json"] = json.dumps(_merge_template(runtime), indent=2, sort_keys=True) + "\n"
    reqs = [r for r in deploy.requirements(service.external, tops, installed) if r.name not in layer_dists]
    files[f"{base}/requirements.txt"] = _requirements_text(f"service {service.name}", reqs, installed)
    app_routes = [r for r in analysis.routes if _on_every_app(r, layout, homes)]
    language = django.language_code(sources, entry.element.split(":")[0]) if framework == "django" else "en"
    converters = django.converters(sources) if framework == "django" else {}
    _render_tests(files, env, base, service, framework, routes, app_routes, calls, tops, language, converters)
    return {"service": service, "routes": routes, "env": env_vars, "sizing": sizing, "requirements": reqs}


def _on_every_app(route, layout: Layout, homes: dict[str, str]) -> bool:
    """A route every service's app serves: declared in the factory (its handler is the layer's), or added to
    the app by a helper that layer code calls for itself, no container between (CTFd's plugins:
    `register_plugin_assets_directory(app, base_path=...)` in `CTFd.plugins.challenges:load`, which the
    factory's `init_plugins` runs in every app)."""
    if homes.get(route.handler) == LAYER:
        return True
    return (route.module in layout.layer.modules and route.handler not in layout.containers
            and route.handler.split(":")[0] != route.module)


# What a Django suite's world always holds (pytest-django sets the settings module, django.setup() sets TZ
# from TIME_ZONE): a reset may name them even when the plan's [contracts.env] was written after generate.
DJANGO_ENV = ("DJANGO_SETTINGS_MODULE", "TZ")


def _reset_env(env: dict, framework: str) -> list[str]:
    """The environment keys a reset may set: the plan's [contracts.env], and for Django its own two."""
    return sorted({*env, *(DJANGO_ENV if framework == "django" else ())})


def _suite_call(analysis, root: Path, entry) -> str | None:  # noqa: ANN001
    """How the monolith's tests call its factory, when it cannot be called bare (decompose.generation.suitecall):
    its services' tests do the same. None for an app object, a Django project, or no entry."""
    if _needs_arguments(analysis, root, entry) is None:
        return None
    tests = [Path(root) / m.path for m in analysis.modules if m.role == "test" and not m.parse_error]
    return suitecall.suite_call(entry.element, tests)


def _suite_env(analysis, root: Path, contracts: Settings) -> tuple[tuple[str, str], ...]:  # noqa: ANN001
    """The environment the monolith's suite runs with (decompose.generation.suitecall.suite_env: what its
    conftest.py files set at their top), then the plan's [contracts.env] over it, less its per-scenario
    `{scratch}` values: the services' tests set it before they build the app."""
    conftests = [Path(root) / m.path for m in analysis.modules
                 if m.role == "test" and not m.parse_error and m.path.rpartition("/")[2] == "conftest.py"]
    found = suitecall.suite_env(conftests)
    found.update({k: str(v) for k, v in contracts.env.items() if "{scratch}" not in str(v)})
    return tuple(sorted(found.items()))


def _entry_call(analysis, root: Path, entry) -> suitecall.EntryCall | None:  # noqa: ANN001
    """How the monolith's entry module builds a factory that cannot be called bare (flasky.py's
    `create_app(os.getenv('FLASK_CONFIG') or 'default')`): a deployed service builds it the same way."""
    factory = _needs_arguments(analysis, root, entry)
    if factory is None:
        return None
    modules = sorted((m for m in analysis.modules if m.role != "test" and not m.parse_error),
                     key=lambda m: (m.path.count("/"), m.path))
    return suitecall.entry_call(entry.element, [(m.path, Path(root) / m.path) for m in modules])


def _needs_arguments(analysis, root: Path, entry) -> Path | None:  # noqa: ANN001
    """The file of the entry's factory when it has a parameter without a default (None for an app object,
    a Django project, no entry, or a factory that can be called bare)."""
    if entry is None or not entry.is_factory or entry.framework == "django":
        return None
    module, name = entry.element.split(":")
    factory = next((Path(root) / m.path for m in analysis.modules if m.name == module), None)
    return factory if factory is not None and suitecall.needs_arguments(factory, name) else None


# pytest looks upwards for its configuration: without a file of its own, a service's tests took the
# monolith's (lnbits' addopts --cov=lnbits: 'unrecognized arguments' in the services' venv, every test unrun).
PYTEST_INI = """# Generated by decompose: this service's tests run on their own pytest settings, not the monolith's
# (its addopts, plugins and warning filters belong to its own suite and environment).
[pytest]
testpaths = tests
"""


def _render_tests(files: dict, env: SandboxedEnvironment, base: str, service: ServiceLayout, framework: str,
                  routes: list, app_routes: list = (), calls: suitecall.FactoryCalls = suitecall.FactoryCalls(),
                  tops: set[str] = frozenset(), language: str = "en", converters: dict[str, str] | None = None) -> None:
    suffix = "_django" if framework == "django" else ""
    files[f"{base}/pytest.ini"] = PYTEST_INI
    files[f"{base}/tests/conftest.py"] = env.get_template(f"service/conftest{suffix}.py.j2").render(
        framework=framework, suite_call=calls.suite, suite_env=[list(pair) for pair in calls.env],
        label=re.sub(r"[^a-z0-9]+", "_", base.lower()).strip("_"))
    chalice = sorted([m, r.path, r.example] for r in routes for m in r.methods)
    if framework == "django":
        views = sorted({(django.example_path(r.path, language, converters), r.handler) for r in service.routes})
        # Django's own paths keep their trailing slash (Chalice's templates drop it; the real path is forwarded)
        requests = sorted({(m, r.template, django.example_path(r.path, language, converters)) for r in service.routes
                           for m in concrete(r.methods)})
        files[f"{base}/tests/test_routes.py"] = env.get_template("service/test_routes_django.py.j2").render(
            service=service.name, routes=[list(r) for r in requests], views=[list(v) for v in views],
            exposed=sorted(service.exposed))
        return
    files[f"{base}/tests/test_routes.py"] = env.get_template("service/test_routes.py.j2").render(
        service=service.name, framework=framework, routes=chalice, tops=sorted(tops),
        # HEAD and OPTIONS: every rule answers them, so the generated test leaves them out on both sides (ctfd's
        # explicit HEAD /api/v1/notifications was in the plan's list and never in the app's)
        framework_routes=[list(p) for p in sorted({(m, r.path) for r in (*service.routes, *app_routes) for m in r.methods
                                                   if m not in IMPLICIT_METHODS})],
        exposed=sorted(service.exposed))


def _foreign(layout: Layout, service: ServiceLayout, sources: Sources, analysis, homes: dict[str, str]) -> list:
    """Flask: the other services' endpoints as build-only URL rules (`url_for` across services; endpoints.py)."""
    served = {h for h, home in homes.items() if home in (service.name, LAYER)}
    routes = [r for r in analysis.routes if r.mounted]
    return [list(e) for e in foreign_endpoints(sources, routes, layout.containers, served, layout.layer.mounts)]


def _hooks(service: ServiceLayout) -> dict:
    """Flask: the modules of the app-wide hooks, imported before the blueprints are registered (as
    `_hooks_N`), and the hooks applied to the app itself (apphooks.py); the modules declaring this
    service's routes on a container the layer registers (layout._routes_on_layer_container)."""
    modules = sorted({h.module for h in service.hooks})
    aliases = {m: i for i, m in enumerate(modules, 1)}
    imports = [{"index": aliases[m], "module": m} for m in modules]
    applied = [{"index": aliases[h.module], "decorator": h.decorator, "called": h.called,
                "function": h.function.split(":")[1], "arguments": h.arguments} for h in service.app_wide]
    return {"hook_modules": imports, "app_wide": applied, "route_modules": list(service.route_modules)}


def refuse_reserved(tops: set[str]) -> None:
    """A monolith's top-level name that a generated service needs for itself. `app` is not one: the
    entry steps aside for it (decompose_runtime.entry); the others have no such way out."""
    from decompose.errors import UserError

    taken = sorted(tops & RESERVED_TOPS)
    if taken:
        raise UserError(f"the monolith has a top-level module named {taken[0]!r}, a name every generated service "
                        "uses for its own code", f"rename the monolith's {taken[0]!r} package, then analyze and generate again")


def raise_no_entry(layout: Layout) -> None:
    from decompose.errors import UserError

    raise UserError("no app factory or app object (Flask(...) / FastAPI(...)) nor Django settings module (ROOT_URLCONF) "
                    "found in the shared kernel",
                    "put the module that builds the monolith's app (Django: its settings module) in [shared] of "
                    "decompose.toml, then generate again")


def _registration(reg, framework: str) -> dict:
    """FastAPI: the prefix comes from the monolith's paths at run time (decompose_runtime.asgi.include),
    so the registration's own `prefix=` (one link of the chain, perhaps a settings read) is left out."""
    module, name = reg.container.split(":")
    keywords = reg.keywords
    if framework == "fastapi" and reg.paths and keywords:
        call = cst.parse_expression(f"f({keywords})")
        keywords = ", ".join(code(a).strip().rstrip(",") for a in call.args if a.keyword and a.keyword.value != "prefix")
    mount = reg.mount
    return {"module": module, "name": name, "keywords": keywords, "paths": list(reg.paths),
            "holder": mount.holder if mount else "", "method": mount.method if mount else "",
            "arguments": mount.arguments if mount else "", "order": mount.order if mount else 0}


def _mounts(registrations: list[dict], named: list[dict] = ()) -> list[dict]:
    """The registrations mounted on a layer object (a flask-restx Api, a FastAPI router), grouped by that object,
    each group in the monolith's order; with the containers whose classes are only named there (`named`)."""
    holders = sorted({r["holder"] for r in [*registrations, *named] if r["holder"]})
    return [{"holder": h, "mounted": sorted((r for r in registrations if r["holder"] == h), key=lambda r: r["order"]),
             "named": sorted((r for r in named if r["holder"] == h), key=lambda r: r["order"])}
            for h in holders]


def _note(service: str, module: str, view: ModuleView) -> str:
    if not view.own:
        return f"Service {service}'s view of {module}: only names it uses that live elsewhere (generated by decompose)."
    return f"decompose: the part of {module} that service {service} owns; the rest lives elsewhere."


def _available(layout: Layout, service: ServiceLayout, sources: Sources, module: str, name: str) -> bool:
    layer = layout.layer.modules
    sub = f"{module}.{name}"
    if classify.is_submodule(sources, module, name):
        return sub in layer or sub in service.views
    if module in layer:
        return True
    view = service.views.get(module)
    if view is None:
        return False
    if not name:
        return True
    if name in view.keep or name in view.proxies:
        return True
    is_symbol = f"{module}:{name}" in sources.symbols
    return view.own and not is_symbol


def _real(layout: Layout, service: ServiceLayout, sources: Sources, module: str, name: str) -> bool:
    """Does this service have the object itself (not a client, stub or copy standing in for it)?"""
    view = service.views.get(module)
    if view is not None and name in view.proxies:
        return view.proxies[name].kind == "reexport"
    return _available(layout, service, sources, module, name)


REMOTE_KINDS = ("client", "stub", "exception")  # proxies that live in a client module


def _remote_by_owner(service: ServiceLayout) -> dict[str, dict[str, Proxy]]:
    """owner service -> target -> the proxy for it, for the proxies that live in client modules."""
    by_owner: dict[str, dict[str, Proxy]] = defaultdict(dict)
    for proxy in service.proxies():
        if proxy.kind in REMOTE_KINDS:
            by_owner[proxy.owner][proxy.target] = proxy
    return by_owner


def _client_names(by_owner: dict[str, dict[str, Proxy]]) -> dict[str, str]:
    """target -> its attribute in the client module (the plain name unless two targets share it)."""
    names: dict[str, str] = {}
    for proxies in by_owner.values():
        counts = Counter(p.name for p in proxies.values())
        for target, p in proxies.items():
            module = target.split(":")[0].rsplit(".", 1)[-1]
            names[target] = p.name if counts[p.name] == 1 else f"{module}_{p.name}"
    return names


def _render_clients(files: dict, env: SandboxedEnvironment, base: str, service: ServiceLayout,
                    by_owner: dict[str, dict[str, Proxy]], names: dict[str, str], writers: set[str]) -> None:
    files[f"{base}/chalicelib/clients/__init__.py"] = '"""Clients of the services this one calls (generated by decompose)."""\n'
    for owner, proxies in sorted(by_owner.items()):
        rows = [{"attr": names[t], "target": t, "kind": p.kind, "reason": p.reason,
                 "idempotent": t not in writers} for t, p in sorted(proxies.items())]
        files[f"{base}/chalicelib/clients/{_module_name(owner)}.py"] = env.get_template("service/client.py.j2").render(
            callee=owner, service=service.name, env=runtime_client.env_name(owner).removeprefix("DECOMPOSE_URL_"),
            const=_module_name(owner).upper(), proxies=rows)


def _internal(env: SandboxedEnvironment, service: ServiceLayout, setup: bool = False) -> str:
    modules = sorted({t.split(":")[0] for t in service.exposed})
    aliases = {m: f"_m{i}" for i, m in enumerate(modules)}
    rows = [{"target": t, "alias": aliases[t.split(":")[0]], "name": t.split(":")[1], "callers": e.callers,
             "idempotent": e.idempotent} for t, e in sorted(service.exposed.items())]
    mods = [{"package": m.rpartition(".")[0], "name": m.rpartition(".")[2], "alias": aliases[m], "top": "." not in m}
            for m in modules]
    return env.get_template("service/internal.py.j2").render(service=service.name, exposed=rows, modules=mods, setup=setup)


def _session(sources: Sources, layer: set[str]) -> dict | None:
    """How the monolith reaches its ORM session: a Flask-SQLAlchemy `db`, or a scoped_session."""
    for module in sorted(layer):
        for piece in sources.parsed(module).pieces:
            if piece.kind != "symbol" or not isinstance(piece.node, cst.SimpleStatementLine):
                continue
            small = piece.node.body[0]
            if isinstance(small, cst.Assign) and isinstance(small.value, cst.Call):
                func = cst.Module([]).code_for_node(small.value.func).rsplit(".", 1)[-1]
                name = piece.names[0]
                if func == "SQLAlchemy":
                    return {"module": module, "name": name, "expression": f"{name}.session"}
                if func == "scoped_session":
                    return {"module": module, "name": name, "expression": name}
    return None


def _env_vars(layout: Layout, service: ServiceLayout, sources: Sources) -> list[str]:
    names: set[str] = set()
    for module in sorted(layout.layer.modules | {m for m, v in service.views.items() if v.own}):
        names |= deploy.env_reads(sources.parsed(module))
    return sorted(names)


def _config(layout: Layout, service: ServiceLayout, env_vars: list[str], sizing: deploy.Sizing) -> str:
    project = _slug(layout.project)
    callees = sorted({p.owner for p in service.proxies() if p.kind == "client"})
    prod = {"DECOMPOSE_INTERNAL_AUTH": "iam"}
    for name in env_vars:
        prod[name] = (f"{{{{resolve:secretsmanager:{project}/prod:SecretString:{name}}}}}" if deploy.is_secret(name)
                      else f"{{{{resolve:ssm:/{project}/prod/{name}}}}}")
    for callee in callees:
        prod[runtime_client.env_name(callee)] = f"{{{{resolve:ssm:/{project}/prod/services/{_slug(callee)}/url}}}}"
    config = {
        "version": "2.0",
        "app_name": f"{project}-{_slug(service.name)}",
        "lambda_memory_size": sizing.memory_mb,
        "lambda_timeout": sizing.timeout_s,
        "autogen_policy": False,  # the role gets exactly .chalice/policy-<stage>.json (decompose.generation.policy)
        "environment_variables": {"DECOMPOSE_SERVICE": service.name},
        "stages": {
            "dev": {"api_gateway_stage": "dev", "iam_policy_file": "policy-dev.json", "environment_variables": {}},
            "prod": {"api_gateway_stage": "prod", "iam_policy_file": "policy-prod.json",
                     "environment_variables": dict(sorted(prod.items()))},
        },
    }
    return json.dumps(config, indent=2, sort_keys=False) + "\n"


def _merge_template(runtime: str) -> dict:
    """For `chalice package --merge-template .chalice/layer.json`: the function runs on the shared layer."""
    return {
        "Parameters": {"SharedLayerArn": {"Type": "String", "Description": "ARN of the shared layer (shared/template.yaml output)"}},
        "Resources": {"APIHandler": {"Properties": {"Layers": [{"Ref": "SharedLayerArn"}], "Runtime": runtime}}},
    }


def _requirements_text(what: str, reqs: list[deploy.Requirement], installed: deploy.Installed | None) -> str:
    where = "the monolith's environment (read in its interpreter)" if installed else "decompose's own environment"
    if installed and installed.locked_from:
        where = f"the project's {', '.join(Path(f).name for f in installed.locked_from)}, else in {where}"
    lines = [f"# Third-party distributions {what} needs (generated by decompose): those its code imports, then",
             f"# what they depend on (# via ...), each pinned to its version in {where}.",
             "# A line without a version is pinned nowhere: pin it before packaging."]
    for r in (r for r in reqs if r.provided):
        note = f"  # via {r.via}" if r.via else "" if r.version else f"  # import {', '.join(r.imports)}"
        lines.append(r.line() + note)
    missing = [r.name for r in reqs if not r.provided]
    if missing:
        lines += [f"# Imported, but no distribution of the monolith's environment provides: {', '.join(missing)}.",
                  "# Not required here (a distribution named after an import is often another project): install it",
                  "# in the monolith's environment and generate again, or add its distribution's line by hand."]
    return "\n".join(lines) + "\n"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "app"


def _module_name(service: str) -> str:
    name = re.sub(r"[^a-z0-9]+", "_", service.lower()).strip("_")
    return name if name and not name[0].isdigit() else f"service_{name}"


# --- the report ------------------------------------------------------------------------------------------

def _report(layout: Layout, reports: list[dict], analysis, homes: dict[str, str]) -> dict:
    found = crossings(analysis, homes, layout.services, layout.layer.modules)
    services = []
    for item in reports:
        service: ServiceLayout = item["service"]
        mine = [c for c in found if c.service == service.name]
        services.append(_service_report(layout, service, item, analysis, homes, mine))
    return {
        "schema_version": 1,
        "project": layout.project,
        "shared": {
            "modules": sorted(layout.layer.modules),
            "promoted": dict(sorted(layout.layer.promoted.items())),
            "unplugged": {k: v for k, v in sorted(layout.layer.unplugged.items())},
            "entry": layout.entry.element if layout.entry else None,
        },
        "services": services,
        "together": together(found),
    }


def _service_report(layout: Layout, service: ServiceLayout, item: dict, analysis, homes: dict[str, str],
                    found: list[Crossing]) -> dict:
    proxies = service.proxies()
    hazards = [{"kind": h.kind, "symbol": h.symbol, "line": h.line, "why": h.why, "resolution": h.resolution}
               for h in analysis.hazards if homes.get(h.symbol) == service.name]
    manual = [f"{p.target} (service {p.owner}) is a stub here: {p.reason}" for p in proxies if p.kind == "stub"]
    manual += [f"{p.target}: literal copied from service {p.owner}; keep both copies in step" for p in proxies if p.kind == "constant"]
    manual += [f"{m}:{n}: code copied from service {owner} (a stand-in would fail here); keep both copies in step"
               for m, v in sorted(service.views.items()) for n, owner in sorted(v.copied.items())]
    manual += [f"{h['kind']} in {h['symbol']}: {h['resolution']}" for h in hazards]
    manual += [f"{c.why()}; keep them together or write a saga" for c in found if c.kind == "transaction"]
    sizing: deploy.Sizing = item["sizing"]
    return {
        "name": service.name,
        "routes": [f"{m} {r.template}" for r in service.routes for m in r.methods],
        "modules": sorted(m for m, v in service.views.items() if v.own and v.body),
        "symbols": sorted(f"{m}:{n}" for m, v in service.views.items() for n in v.keep),
        "tables": service.tables,
        "clients": [{"service": p.owner, "target": p.target, "kind": p.kind, "reason": p.reason}
                    for p in proxies if p.kind != "reexport"],
        "exposed": sorted(service.exposed),
        "environment": item["env"],
        "requirements": [r.line() for r in item["requirements"]],
        "memory_mb": sizing.memory_mb,
        "timeout_s": sizing.timeout_s,
        "sizing": list(sizing.why),
        "hazards": hazards,
        "crossings": [{"caller": c.caller, "target": c.target, "kind": c.kind, "owner": c.owner} for c in found],
        "manual": manual,
    }
