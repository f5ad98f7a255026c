"""Fake card processor: outcomes are decided by the card number's last four digits."""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

DECLINED_SUFFIX = "0002"
INSUFFICIENT_FUNDS_SUFFIX = "9995"
PROVIDER_ERROR_SUFFIX = "0119"


class CardDeclined(Exception):
    """The issuer refused the charge; retrying will not help."""


class ProviderError(Exception):
    """The processor failed; the charge may succeed if retried."""


class FakePayProvider:
    name = "fakepay"

    def __init__(self, currency: str) -> None:
        self.currency = currency

    def charge(self, card_number: str, amount_cents: int, reference: str) -> str:
        if card_number.endswith(DECLINED_SUFFIX):
            raise CardDeclined("card_declined")
        if card_number.endswith(INSUFFICIENT_FUNDS_SUFFIX):
            raise CardDeclined("insufficient_funds")
        if card_number.endswith(PROVIDER_ERROR_SUFFIX):
            raise ProviderError("processing_error")
        if amount_cents <= 0:
            raise CardDeclined("invalid_amount")
        return "ch_" + _digest(reference, card_number[-4:], amount_cents, self.currency)

    def refund(self, charge_ref: str, amount_cents: int, sequence: int) -> str:
        return "re_" + _digest(charge_ref, amount_cents, sequence)


def _digest(*parts: Any) -> str:
    text = "|".join(str(part) for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def create_provider(config: Mapping[str, Any]) -> FakePayProvider:
    return FakePayProvider(currency=config.get("CURRENCY", "USD"))
