"""Issue #26: secrets in a scenario's starting data (password hashes, tokens) are masked as named bindings
in the contract, deterministically, and put back from .decompose/secrets.json when the scenario replays."""

from __future__ import annotations

import json
import stat

import pytest

from decompose.contracts import masking

HASH_1 = "pbkdf2:sha256:1000$salt-one$0123456789abcdef"
HASH_2 = "pbkdf2:sha256:1000$salt-two$fedcba9876543210"
TOKEN = "tok-3f9a2c7d1e"


def scenario(password_hash: str, token: str = TOKEN) -> dict:
    return {
        "name": "tests/test_notes.py::test_owner_lists_notes",
        "data": {"users": [{"id": 1, "email": "owner@example.com", "password_hash": password_hash, "pwd": "short"}],
                 "tokens": [{"id": 1, "access_token": token, "user_id": 1}]},
        "exchanges": [
            {"request": {"method": "GET", "target": f"/api/notes?t={token}",
                         "headers": [["authorization", f"Bearer {token}"]], "body": {"text": ""}},
             "answer": {"status": 200, "headers": [], "body": {"text": json.dumps({"token": token})}},
             "data": {"tokens": [{"id": 2, "refresh_token": "refresh-0001"}]}},
        ],
    }


def test_secret_columns_are_masked_by_name_and_their_values_kept_aside():
    masked, found = masking.mask_scenario(scenario(HASH_1))
    assert masked["data"]["users"][0]["password_hash"] == {"$secret": "users[0].password_hash"}
    assert masked["data"]["users"][0]["email"] == "owner@example.com"  # not a secret column
    assert masked["data"]["users"][0]["pwd"] == "short"  # too short to be a secret worth a binding
    assert masked["exchanges"][0]["data"]["tokens"][0]["refresh_token"] == {"$secret": "#0:tokens[0].refresh_token"}
    assert found == {"users[0].password_hash": HASH_1, "tokens[0].access_token": TOKEN,
                     "#0:tokens[0].refresh_token": "refresh-0001"}
    assert HASH_1 not in json.dumps(masked) and TOKEN not in json.dumps(masked)


def test_a_request_or_answer_carrying_a_masked_value_carries_its_binding():
    masked, _ = masking.mask_scenario(scenario(HASH_1))
    step = masked["exchanges"][0]
    assert step["request"]["target"] == "/api/notes?t={{secret:tokens[0].access_token}}"
    assert step["request"]["headers"] == [["authorization", "Bearer {{secret:tokens[0].access_token}}"]]
    assert json.loads(step["answer"]["body"]["text"]) == {"token": "{{secret:tokens[0].access_token}}"}


def test_two_recordings_with_other_salts_give_the_same_contract_bytes():
    first, _ = masking.mask_scenario(scenario(HASH_1))
    second, _ = masking.mask_scenario(scenario(HASH_2, "tok-99887766aa"))
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_unmasking_gives_back_the_scenario_as_recorded():
    original = scenario(HASH_1)
    masked, found = masking.mask_scenario(original)
    assert masking.unmask(masked, found) == original


def test_a_value_missing_from_the_secrets_file_is_named():
    masked, found = masking.mask_scenario(scenario(HASH_1))
    del found["users[0].password_hash"]
    with pytest.raises(masking.MissingSecret, match=r"users\[0\]\.password_hash .*record the contracts again"):
        masking.unmask(masked, found)


def test_a_scenario_without_secrets_is_left_as_it_is():
    plain = {"name": "t", "data": {"notes": [{"id": 1, "title": "a title"}]}, "exchanges": []}
    masked, found = masking.mask_scenario(plain)
    assert masked == plain and found == {}
    assert masking.unmask(plain, {}) is plain


@pytest.mark.parametrize("column, secret", [("password", True), ("password_hash", True), ("hashed_password", True),
                                            ("access_token", True), ("api_key", True), ("secret", True),
                                            ("otp_secret", True), ("email", False), ("username", False),
                                            ("tokenizer", False), ("passage", False), ("title", False)])
def test_which_columns_are_secret(column, secret):
    assert masking.secret_column(column) is secret


def test_the_secrets_file_is_the_owners_alone_and_reads_back(tmp_path):
    path = tmp_path / ".decompose" / masking.FILE
    masking.write(path, {"t::a": {"users[0].password_hash": HASH_1}})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert masking.read(path) == {"t::a": {"users[0].password_hash": HASH_1}}


@pytest.mark.parametrize("text", ["not json", "[]", '{"scenarios": []}'])
def test_a_missing_or_damaged_secrets_file_reads_as_none(tmp_path, text):
    assert masking.read(tmp_path / "absent.json") == {}
    (tmp_path / "bad.json").write_text(text)
    assert masking.read(tmp_path / "bad.json") == {}
