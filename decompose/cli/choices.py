"""Closed sets of option values as Enums, so `--help` lists them and a wrong value is a usage error
naming the choices. Built from the registries, so a new exporter or finding shows up here by itself."""

from __future__ import annotations

from enum import Enum

from decompose.graph import FORMATS, LEVELS

Format = Enum("Format", {name: name for name in FORMATS}, type=str)
Level = Enum("Level", {name: name for name in LEVELS}, type=str)
FailOn = Enum("FailOn", {name: name for name in ("failures", "hazards")}, type=str)
CheckFormat = Enum("CheckFormat", {name: name for name in ("text", "json", "sarif")}, type=str)
