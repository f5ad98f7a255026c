"""Shelf upkeep: a function the restock route calls, and the same work as a `flask restock` command."""

import click
from flask import Blueprint

commands = Blueprint("maintenance", __name__)

SHELVES = {"apples": 40, "pears": 15, "plums": 0}


def restocked(amount):
    return {name: level + amount for name, level in sorted(SHELVES.items())}


@commands.cli.command("restock")
@click.argument("amount", type=int)
def restock_command(amount):
    for name, level in restocked(amount).items():
        click.echo(f"{name}: {level}")
