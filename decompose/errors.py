"""Errors a user can act on: each says where, what, and what to do next. The CLI turns them into
one message on stderr and exit code 2; anything else is a bug and is reported as one."""

from __future__ import annotations


class UserError(Exception):
    def __init__(self, what: str, next_step: str) -> None:
        super().__init__(what)
        self.what = what
        self.next_step = next_step

    def __str__(self) -> str:
        return f"{self.what}\n  → {self.next_step}"
