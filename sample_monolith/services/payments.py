"""Card payments through the provider plugin, with retry/backoff and refunds."""
from __future__ import annotations

import importlib
import time
from types import ModuleType
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import Select, select

from sample_monolith.extensions import db
from sample_monolith.models.commerce import Order, Payment, Refund
from sample_monolith.utils import ApiError, bad_request, conflict, forbidden, not_found, now

if TYPE_CHECKING:
    from sample_monolith.models.user import User

REFUNDABLE_STATUSES = ("captured", "partially_refunded")


def _provider_plugin() -> ModuleType:
    return importlib.import_module("sample_monolith.plugins.fakepay")


def validate_card(card_number: str) -> str:
    digits = card_number.replace(" ", "").replace("-", "")
    if not digits.isdigit() or not 12 <= len(digits) <= 19 or not _luhn_valid(digits):
        raise bad_request("'card_number' is not a valid card number", field="card_number")
    return digits


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def charge(order: Order, card_number: str) -> Payment:
    """Charge the order total; raises 402 when declined and 502 when the provider keeps failing."""
    digits = validate_card(card_number)
    plugin = _provider_plugin()
    provider = plugin.create_provider(current_app.config)
    payment = Payment(
        order=order,
        amount_cents=order.total_cents,
        currency=order.currency,
        status="pending",
        card_last4=digits[-4:],
        attempts=0,
        created_at=now(),
    )
    db.session.add(payment)
    try:
        payment.provider_ref = _charge_with_retry(provider, plugin, payment, digits)
    except plugin.CardDeclined as exc:
        raise _failed(payment, "declined", str(exc), ApiError(402, "card was declined", reason=str(exc)))
    except plugin.ProviderError as exc:
        error = ApiError(502, "payment provider unavailable, please retry later", reason=str(exc))
        raise _failed(payment, "failed", str(exc), error)
    payment.status = "captured"
    return payment


def _charge_with_retry(provider: Any, plugin: ModuleType, payment: Payment, digits: str) -> str:
    attempts = current_app.config["PAYMENT_MAX_ATTEMPTS"]
    backoff = current_app.config["PAYMENT_BACKOFF_SECONDS"]
    sleep = current_app.config["SLEEP"] or time.sleep
    for attempt in range(1, attempts + 1):
        payment.attempts = attempt
        try:
            return provider.charge(digits, payment.amount_cents, reference=f"order-{payment.order.id}")
        except plugin.ProviderError:
            if attempt == attempts:
                raise
            sleep(backoff * 2 ** (attempt - 1))
    raise RuntimeError("PAYMENT_MAX_ATTEMPTS must be at least 1")


def _failed(payment: Payment, status: str, reason: str, error: ApiError) -> ApiError:
    payment.status = status
    payment.failure_reason = reason
    db.session.flush()
    error.details["payment_id"] = payment.id
    return error


def refund(payment: Payment, amount_cents: int | None = None, reason: str = "") -> Refund:
    if payment.status not in REFUNDABLE_STATUSES:
        raise conflict(f"a {payment.status} payment cannot be refunded")
    refundable = payment.amount_cents - payment.refunded_cents
    amount = refundable if amount_cents is None else amount_cents
    if amount > refundable:
        raise bad_request(f"refund exceeds the refundable amount of {refundable} cents", refundable_cents=refundable)
    provider = _provider_plugin().create_provider(current_app.config)
    record = Refund(
        payment=payment,
        amount_cents=amount,
        reason=reason,
        provider_ref=provider.refund(payment.provider_ref, amount, len(payment.refunds)),
        created_at=now(),
    )
    db.session.add(record)
    payment.status = "refunded" if amount == refundable else "partially_refunded"
    return record


def get_payment(payment_id: int, user: User) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        raise not_found("payment")
    if payment.order.buyer_id != user.id and not user.is_admin:
        raise forbidden("this payment belongs to another user")
    return payment


def payments_stmt(user: User) -> Select:
    return (
        select(Payment)
        .join(Order, Order.id == Payment.order_id)
        .where(Order.buyer_id == user.id)
        .order_by(Payment.id.desc())
    )
