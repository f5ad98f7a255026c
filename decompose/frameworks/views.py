"""The HTTP methods a view answers. A class-based view: the verbs it defines, those it inherits from
our own base classes, and those of well-known framework views it extends. A function view: what its
decorators declare (`@api_view([...])`, `@require_http_methods([...])`, `@require_POST`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from decompose.analysis.index import Index, split_id

HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
# Framework views by class name: what their handlers answer without any code of ours.
KNOWN_VIEWS = {
    "TemplateView": ("GET",), "ListView": ("GET",), "DetailView": ("GET",), "ArchiveIndexView": ("GET",),
    "YearArchiveView": ("GET",), "MonthArchiveView": ("GET",), "DayArchiveView": ("GET",),
    "FormView": ("GET", "POST"), "CreateView": ("GET", "POST"), "UpdateView": ("GET", "POST"),
    "DeleteView": ("GET", "POST"), "LoginView": ("GET", "POST"), "LogoutView": ("POST",),
    "PasswordChangeView": ("GET", "POST"), "PasswordResetView": ("GET", "POST"),
    # Django REST framework's generic views
    "ListAPIView": ("GET",), "CreateAPIView": ("POST",), "ListCreateAPIView": ("GET", "POST"),
    "RetrieveAPIView": ("GET",), "DestroyAPIView": ("DELETE",), "UpdateAPIView": ("PATCH", "PUT"),
    "RetrieveUpdateAPIView": ("GET", "PATCH", "PUT"), "RetrieveDestroyAPIView": ("DELETE", "GET"),
    "RetrieveUpdateDestroyAPIView": ("DELETE", "GET", "PATCH", "PUT"), "ObtainAuthToken": ("POST",),
}
# Library views used as they are (`path("token/", obtain_auth_token)`), by dotted name.
LIBRARY_VIEWS = {"rest_framework.authtoken.views.obtain_auth_token": ("POST",)}


def inherited(index: Index, class_id: str, wanted: Mapping[str, str], known: Mapping[str, Iterable[str]],
              seen: frozenset[str] = frozenset()) -> set[str]:
    """Labels of the methods a class defines or inherits: `wanted` maps a method name to its label;
    an internal base is walked, a framework base contributes what `known` says of its name."""
    info = index.classes.get(class_id)
    if info is None or class_id in seen:
        return set()
    found = {wanted[m] for m in info.methods if m in wanted}
    module, _ = split_id(class_id)
    for base in info.bases:
        parent = index.resolve_in(module, None, base)
        if parent is not None and not parent.rest and parent.node in index.classes:
            found |= inherited(index, parent.node, wanted, known, seen | {class_id})
        else:
            found.update(known.get(base.rsplit(".", 1)[-1], ()))
    return found


VERBS = {verb: verb.upper() for verb in HTTP_VERBS}


def class_methods(index: Index, class_id: str) -> tuple[str, ...]:
    return allowed(index, class_id, inherited(index, class_id, VERBS, KNOWN_VIEWS))


def allowed(index: Index, class_id: str, methods: Iterable[str]) -> tuple[str, ...]:
    """`methods` less those the class's `http_method_names` (its own or a project base's) leaves out."""
    names = _http_method_names(index, class_id, frozenset())
    return tuple(sorted(m for m in methods if names is None or m.lower() in names))


def _http_method_names(index: Index, class_id: str, seen: frozenset[str]) -> set[str] | None:
    info = index.classes.get(class_id)
    if info is None or class_id in seen:
        return None
    own = dict(info.lists).get("http_method_names")
    if own is not None:
        return {m.lower() for m in own}
    module, _ = split_id(class_id)
    for base in info.bases:
        parent = index.resolve_in(module, None, base)
        if parent is not None and not parent.rest:
            found = _http_method_names(index, parent.node, seen | {class_id})
            if found is not None:
                return found
    return None


# Decorators that restrict a function view, without arguments.
FIXED_DECORATORS = {"require_GET": ("GET",), "require_POST": ("POST",), "require_safe": ("GET", "HEAD")}


def function_methods(index: Index, function_id: str) -> tuple[str, ...]:
    module, name = split_id(function_id)
    facts = index.files.get(module)
    if facts is None:
        return ()
    for site in facts.call_sites:
        if site.decorates == name and site.method in ("api_view", "require_http_methods"):
            declared = dict(site.list_args).get("0") or dict(site.list_args).get("http_method_names")
            return tuple(sorted({m.upper() for m in declared})) if declared else ("GET",)  # api_view() is GET
    for usage in facts.usages:
        fixed = FIXED_DECORATORS.get(usage.dotted.rsplit(".", 1)[-1])
        if usage.kind == "decorator" and usage.scope == name and fixed:
            return fixed
    return ()
