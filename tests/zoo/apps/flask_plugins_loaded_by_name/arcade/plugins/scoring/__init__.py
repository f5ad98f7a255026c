"""Scoring rules, one class per rule a game may use, found by name in RULES."""
from arcade.plugins import register_assets_directory, register_menu


class ClassicRule:
    name = "classic"

    def points(self, hits, misses):
        return max(0, 10 * hits - 5 * misses)

    def describe(self):
        return "10 a hit, minus 5 a miss, never below 0"


class StreakRule(ClassicRule):
    name = "streak"

    def points(self, hits, misses):
        return hits * hits if not misses else super().points(hits, misses)

    def describe(self):
        return "a clean run scores hits squared; otherwise classic"


RULES = {rule.name: rule for rule in (ClassicRule, StreakRule)}


def load(app):
    register_assets_directory(app, base_path="/plugins/scoring/assets/")
    register_menu(app, "Scoring rules", "/plugins/scoring/assets/rules.txt")
