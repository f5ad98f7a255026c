"""What `plan` proposes for each hazard, how [remediate] is merged and read, what `check` reports:
pure functions over hand-written hazards (no analysis, no files except the static-folder probe)."""

import tomlkit

from decompose.analysis.model import HazardOut
from decompose.remediation.audit import audit
from decompose.remediation.model import Decision, code_registries, propose, static_dirs
from decompose.remediation.table import detach, merge, read


def hazard(kind, symbol, detail, line=1, in_path=True):
    return HazardOut(kind, symbol, symbol.split(":")[0].replace(".", "/") + ".py", line, detail, "why", "res", in_path)


UPLOAD = hazard("filesystem-write", "shop.images:save", "open(..., 'wb')", 10)
THREAD = hazard("background-thread", "shop.mail:start", "threading.Thread", 5)
HANDLE = hazard("global-mutable-state", "shop.mail:start", "_worker (rebinds global)", 5)
QUEUE = hazard("global-mutable-state", "shop.mail:push", "_pending (.append())", 8)
COUNTER = hazard("global-mutable-state", "shop.stats:hit", "HITS (item assignment)", 3)
CACHE = hazard("process-cache", "shop.catalog:tree", "_TREE (item assignment)", 7)
WORKER = hazard("unbounded-loop", "shop.mail:run", "while True", 12)
REPORT = hazard("unbounded-loop", "shop.reports:total", "for ... in Order.query.all()", 20)
SLEEP = hazard("sleep", "shop.pay:retry", "time.sleep", 30)


def choices_of(decisions):
    return {(d.kind, d.target): d.choice for d in decisions}


def test_each_kind_gets_its_service():
    got = choices_of(propose([UPLOAD, THREAD, HANDLE, QUEUE, COUNTER, CACHE, WORKER, REPORT, SLEEP]))
    assert got == {
        ("filesystem-write", "shop.images:save"): "s3",
        ("background-thread", "shop.mail:start"): "sqs",
        ("global-mutable-state", "shop.mail:start"): "sqs",  # the thread's handle goes with the thread
        ("global-mutable-state", "shop.mail:push"): "sqs",  # a queue in a list becomes a real one
        ("global-mutable-state", "shop.stats:hit"): "dynamodb",
        ("process-cache", "shop.catalog:tree"): "dynamodb",
        ("unbounded-loop", "shop.mail:run"): "sqs",  # the worker loop: the consumer Lambda replaces it
        ("unbounded-loop", "shop.reports:total"): "keep",  # paginate it
        ("sleep", "shop.pay:retry"): "keep",
    }


def test_hazards_outside_request_paths_get_no_decision():
    assert propose([hazard("filesystem-write", "shop.cli:dump", "os.remove", in_path=False)]) == []


def test_one_decision_per_kind_and_symbol_with_every_detail_in_its_reason():
    second = hazard("filesystem-write", "shop.images:save", "os.makedirs", 9)
    (decision,) = propose([UPLOAD, second])
    assert decision.reason.startswith("open(..., 'wb'), os.makedirs at images.py:9:")
    assert "bucket" in decision.reason


def test_static_folders_next_to_packages(tmp_path):
    (tmp_path / "shop" / "static" / "css").mkdir(parents=True)
    (tmp_path / "shop" / "static" / "css" / "a.css").write_text("a{}")
    (tmp_path / "shop" / "empty" / "static").mkdir(parents=True)
    found = static_dirs(tmp_path, ["shop/__init__.py", "shop/views.py", "shop/empty/x.py"])
    assert found == ["shop/static"]
    (decision,) = propose([], found)
    assert (decision.kind, decision.target, decision.choice) == ("static-files", "shop/static", "cloudfront")


def test_merge_keeps_the_users_values_and_adds_new_hazards():
    doc = tomlkit.parse('schema_version = 1\n[remediate.filesystem-write]\n"shop.images:save" = "keep" # mine\n')
    merge(doc, propose([UPLOAD, CACHE]), detach(doc))
    text = tomlkit.dumps(doc)
    assert '"shop.images:save" = "keep" # mine' in text
    decisions, problems = read(tomlkit.parse(text).unwrap())
    assert problems == []
    assert choices_of(decisions) == {("filesystem-write", "shop.images:save"): "keep",
                                     ("process-cache", "shop.catalog:tree"): "dynamodb"}


def test_merge_writes_the_reason_as_a_comment():
    doc = tomlkit.document()
    merge(doc, propose([CACHE]))
    assert '"shop.catalog:tree" = "dynamodb" # _TREE (item assignment) at catalog.py:7: the state' in tomlkit.dumps(doc)


def test_nothing_to_remediate_writes_no_table():
    doc = tomlkit.document()
    merge(doc, [])
    assert "remediate" not in doc


def test_read_names_every_bad_field():
    data = {"remediate": {"filesystem-write": {"a:b": "sqs", "a:c": "s3"}, "teleport": {}, "sleep": "keep"}}
    decisions, problems = read(data)
    assert [d.target for d in decisions] == ["a:c"]
    assert sorted(p.where for p in problems) == ["remediate.filesystem-write['a:b']", "remediate.sleep", "remediate.teleport"]
    assert "use one of: s3, keep" in next(p.fix for p in problems if "a:b" in p.where)
    assert read({"remediate": 3})[1][0].where == "remediate"


def test_audit_errors_for_undecided_and_warns_for_stale():
    decisions = (Decision("filesystem-write", "shop.images:save", "s3"), Decision("sleep", "gone:f", "keep"))
    found = audit([UPLOAD, CACHE], [], decisions)
    assert [(f.level, f.kind, f.target) for f in found] == [
        ("error", "process-cache", "shop.catalog:tree"), ("warning", "sleep", "gone:f")]
    assert found[0].line == 7 and "has no decision in [remediate]" in found[0].message


def test_a_decision_of_keep_is_a_decision():
    assert audit([SLEEP], [], (Decision("sleep", "shop.pay:retry", "keep"),)) == []


def test_an_endless_loop_without_a_thread_in_its_module_is_kept():
    stream = hazard("unbounded-loop", "shop.events:subscribe", "while True", 40)
    got = choices_of(propose([stream, WORKER, THREAD]))
    assert got[("unbounded-loop", "shop.events:subscribe")] == "keep"  # a stream or a poll, not a worker
    assert got[("unbounded-loop", "shop.mail:run")] == "sqs"  # beside the thread it feeds


def test_files_only_appended_to_are_logs_and_kept():
    log = hazard("filesystem-write", "shop.logs:init", "open(..., 'a')", 3)
    folder = hazard("filesystem-write", "shop.logs:init", "os.makedirs", 2)
    (decision,) = propose([log, folder])
    assert decision.choice == "keep" and "log to stdout" in decision.reason
    assert choices_of(propose([UPLOAD, hazard("filesystem-write", "shop.images:save", "open(..., 'ab')", 11)])) == {
        ("filesystem-write", "shop.images:save"): "s3"}


def test_memoised_functions_lazy_singletons_and_bare_folders_are_kept():
    memo = hazard("process-cache", "shop.config:settings", "@functools.lru_cache", 4)
    singleton = hazard("global-mutable-state", "shop.log:get_logger", "_root (rebinds global)", 9)
    folder = hazard("filesystem-write", "shop.users:User", ".mkdir()", 12)
    loop = hazard("unbounded-loop", "shop.db:wait", "while True", 30)
    decisions = {d.target: d for d in propose([memo, singleton, folder, loop, CACHE, COUNTER])}
    assert {t: d.choice for t, d in decisions.items()} == {
        "shop.config:settings": "keep", "shop.log:get_logger": "keep", "shop.users:User": "keep", "shop.db:wait": "keep",
        "shop.catalog:tree": "dynamodb", "shop.stats:hit": "dynamodb"}  # dicts written at run time stay shared state
    assert "S3 has no folders" in decisions["shop.users:User"].reason
    assert "15 min" in decisions["shop.db:wait"].reason and "paginate" not in decisions["shop.db:wait"].reason


def test_a_temporary_folder_is_kept_and_slow_work_leaves_the_request():
    temporary = hazard("filesystem-write", "shop.deps:get_temporary_path", "shutil.rmtree", 5)
    templates = hazard("filesystem-write", "shop.mail:TemplateService", "open(..., 'w')", 7)  # a word, not a prefix
    assert {d.target: d.choice for d in propose([templates, hazard("filesystem-write", "shop.x:TmpDirCleaner", "shutil.rmtree", 3)])} == {
        "shop.mail:TemplateService": "s3", "shop.x:TmpDirCleaner": "keep"}
    slow = hazard("slow-work", "shop.images:recognize", "hashlib.sha256 repeated in for ... in range(rounds)", 9)
    decisions = {d.target: d for d in propose([temporary, slow])}
    assert decisions["shop.deps:get_temporary_path"].choice == "keep" and "/tmp" in decisions["shop.deps:get_temporary_path"].reason
    assert decisions["shop.images:recognize"].choice == "sqs" and "turns asynchronous" in decisions["shop.images:recognize"].reason


REGISTRY_SOURCE = """\
import enum

REGISTRY = {}
SCHEMAS = {}
HITS = {}


def registered(cls):
    REGISTRY[cls.__name__] = cls
    return cls


def paginated(schema):
    class Page:
        pass
    SCHEMAS[schema] = Page
    return Page


def hit(key, count):
    HITS[key] = count
"""


def test_a_registry_of_code_is_kept_and_a_dict_of_data_is_not(tmp_path):
    """CTFd's JINJA_ENUMS (a decorator stores the class it decorates and returns it) and microblog-api's
    paginated_schema_cache (a factory memoises the class it builds): code filled at import time, kept."""
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "enums.py").write_text(REGISTRY_SOURCE)
    found = [hazard("global-mutable-state", "shop.enums:registered", "REGISTRY (item assignment)", 8),
             hazard("process-cache", "shop.enums:paginated", "SCHEMAS (item assignment)", 15),
             hazard("global-mutable-state", "shop.enums:hit", "HITS (item assignment)", 20)]
    registries = code_registries(tmp_path, found)
    assert registries == {("shop/enums.py", "REGISTRY"), ("shop/enums.py", "SCHEMAS")}
    decisions = {d.target: d for d in propose(found, registries=registries)}
    assert decisions["shop.enums:registered"].choice == decisions["shop.enums:paginated"].choice == "keep"
    assert "registry" in decisions["shop.enums:registered"].reason and "enums.py:8" in decisions["shop.enums:registered"].reason
    assert decisions["shop.enums:hit"].choice == "dynamodb"  # data: shared through the table
    assert code_registries(tmp_path / "missing", found) == frozenset()  # unreadable: nothing is a registry
