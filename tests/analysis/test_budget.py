"""The lexical budget (decompose/analysis/budget.py): its bounds, exactly, and what it leaves alone."""

import pytest

from decompose.analysis.budget import MAX_DEPTH, MAX_RUN, MAX_TOKENS, code_only, over_budget


@pytest.mark.parametrize("depth", [MAX_DEPTH, MAX_DEPTH + 1])
def test_brackets_may_nest_as_deep_as_cpython_allows(depth):
    found = over_budget(b"x = " + b"[" * depth + b"]" * depth + b"\n")
    assert (found is None) == (depth <= MAX_DEPTH)


@pytest.mark.parametrize("link", [b"+1", b".a", b"[0]", b"()", b" if x else y"])
def test_a_chain_over_the_run_bound_is_refused_and_one_under_is_not(link):
    under = b"x = y" + link * (MAX_RUN // 4 - 1) + b"\n"  # each link is at most 4 tokens at its level
    assert over_budget(under) is None
    found = over_budget(b"\n\nx = y" + link * MAX_RUN + b"\n")
    assert found is not None and (found.kind, found.line) == ("too-complex", 3)


def test_separators_and_line_ends_reset_the_run():
    assert over_budget(b"x = [" + b"a + 1, " * 5_000 + b"]\n") is None
    assert over_budget(b"a = 1\n" * 5_000) is None
    assert over_budget(b"d = {" + b"'k': v, " * 5_000 + b"}\n") is None


def test_adjacent_strings_count_once():
    assert over_budget(b"HELP = (\n" + b"    'a line of help'  # why\n" * 5_000 + b")\n") is None


def test_strings_and_comments_are_one_token_whatever_they_hold():
    assert over_budget(b"s = '" + b"((((+" * 10_000 + b"'\n# " + b"[" * 10_000 + b"\n") is None


@pytest.mark.parametrize("count", [MAX_TOKENS - 10, MAX_TOKENS + 10])
def test_the_token_bound(count):
    found = over_budget(b"x = [" + b"0," * ((count - 4) // 2) + b"]\n")
    assert (found is None) == (count < MAX_TOKENS)
    if found:
        assert found.kind == "too-large" and found.line is None


def test_code_only_blanks_strings_and_comments_and_keeps_prefixes():
    assert code_only(b"x = ur'a`b' + \"\"\"\nprint 'x'\n\"\"\"  # `y` <>\n") == b"x = ur\"\" + \"\"  \n"
