"""Eventual contract checks: a field a consumer Lambda fills in after the answer (the sample's photo
labels, [remediate] slow-work sqs) is polled for on reads, bounded, and let go on the write that queued it."""

from __future__ import annotations

import json

from decompose.contracts import replay as replay_module
from decompose.contracts.compare import Answer
from decompose.contracts.fleet import eventual_fields
from decompose.contracts.replay import replay

JSON = (("content-type", "application/json"),)
LABELS = [{"name": "beach", "confidence": 90}]


def exchange(method, target, status, body):
    return {"route": f"{method} {target}", "service": "images",
            "request": {"method": method, "target": target, "headers": [], "body": {"text": ""}},
            "answer": {"status": status, "headers": [list(h) for h in JSON], "body": {"text": json.dumps(body)}},
            "volatile": []}


SCENARIO = {"name": "upload then read", "exchanges": [
    exchange("POST", "/api/images", 201, {"photo": {"id": 1, "labels": LABELS}}),
    exchange("GET", "/api/images/1", 200, {"photo": {"id": 1, "labels": LABELS}}),
]}


class Consumer:
    """The service: the upload answers before the labels exist; reads show them after `ready` reads."""

    def __init__(self, ready: int, labels=LABELS):
        self.ready, self.labels, self.reads = ready, labels, 0

    def __call__(self, request, owner) -> Answer:
        if request.method == "GET":
            self.reads += 1
        labels = self.labels if request.method == "GET" and self.reads > self.ready else []
        body = {"photo": {"id": 1, "labels": labels}}
        return Answer(201 if request.method == "POST" else 200, JSON, json.dumps(body).encode())


def test_the_read_is_polled_until_the_consumer_stored_the_labels():
    target = Consumer(ready=3)
    run = replay(SCENARIO, {}, target, eventual=("labels",))
    assert run.passed, run.report()
    assert target.reads == 4
    assert run.steps[0].eventual and "labels" in run.steps[0].eventual[0]  # the upload's answer, let go


def test_without_eventual_fields_the_same_run_fails():
    assert not replay(SCENARIO, {}, Consumer(ready=3)).passed


def test_labels_that_never_come_fail_after_the_limit(monkeypatch):
    monkeypatch.setattr(replay_module, "EVENTUAL_SECONDS", 0.6)
    run = replay(SCENARIO, {}, Consumer(ready=10**6), eventual=("labels",))
    assert not run.passed and "still after 0.6 s: eventual" in run.report()


def test_wrong_labels_are_not_waited_for_into_a_pass(monkeypatch):
    monkeypatch.setattr(replay_module, "EVENTUAL_SECONDS", 0.6)
    run = replay(SCENARIO, {}, Consumer(ready=0, labels=[{"name": "night", "confidence": 1}]), eventual=("labels",))
    assert not run.passed


def test_other_fields_are_never_eventual():
    scenario = {**SCENARIO, "exchanges": [exchange("POST", "/api/images", 201, {"photo": {"id": 2, "labels": LABELS}})]}
    run = replay(scenario, {}, Consumer(ready=0), eventual=("labels",))
    assert not run.passed and "$.photo.id" in run.report()


def test_the_fields_come_from_the_generation_report(tmp_path):
    report = {"schema_version": 1, "project": "p", "shared": {}, "together": [], "services": [
        {"name": "images", "routes": [], "modules": [], "symbols": [], "remediation": [
            {"kind": "slow-work", "eventual": ["photo.labels", "(dropped)", "row['tags']"]}]}]}
    (tmp_path / "generation.json").write_text(json.dumps(report))
    assert eventual_fields(tmp_path) == ["labels", "tags"]
