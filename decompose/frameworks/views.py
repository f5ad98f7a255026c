"""The HTTP methods a class-based view answers: the verbs it defines, those it inherits from our
own base classes, and those of well-known framework views it extends."""

from __future__ import annotations

from decompose.analysis.index import Index, split_id

HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options")
# Framework views by class name: what their handlers answer without any code of ours.
KNOWN_VIEWS = {
    "TemplateView": ("GET",), "ListView": ("GET",), "DetailView": ("GET",), "ArchiveIndexView": ("GET",),
    "YearArchiveView": ("GET",), "MonthArchiveView": ("GET",), "DayArchiveView": ("GET",),
    "FormView": ("GET", "POST"), "CreateView": ("GET", "POST"), "UpdateView": ("GET", "POST"),
    "DeleteView": ("GET", "POST"), "LoginView": ("GET", "POST"), "LogoutView": ("POST",),
    "PasswordChangeView": ("GET", "POST"), "PasswordResetView": ("GET", "POST"),
}


def class_methods(index: Index, class_id: str, seen: frozenset[str] = frozenset()) -> tuple[str, ...]:
    info = index.classes.get(class_id)
    if info is None or class_id in seen:
        return ()
    found = {m.upper() for m in info.methods if m in HTTP_VERBS}
    module, _ = split_id(class_id)
    for base in info.bases:
        parent = index.resolve_in(module, None, base)
        if parent is not None and not parent.rest and parent.node in index.classes:
            found.update(class_methods(index, parent.node, seen | {class_id}))
        else:
            found.update(KNOWN_VIEWS.get(base.rsplit(".", 1)[-1], ()))
    return tuple(sorted(found))
