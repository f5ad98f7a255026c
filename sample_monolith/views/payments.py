"""Payment routes: my payments, payment detail, admin refunds."""
from __future__ import annotations

from flask import Blueprint

from sample_monolith.extensions import db
from sample_monolith.models.commerce import Payment
from sample_monolith.services import payments
from sample_monolith.utils import (
    admin_required,
    current_user,
    get_field,
    json_body,
    login_required,
    paginate,
    reject_unknown,
)

bp = Blueprint("payments", __name__, url_prefix="/api/payments")


@bp.get("")
@login_required
def list_payments():
    return paginate(payments.payments_stmt(current_user()), Payment.to_dict)


@bp.get("/<int:payment_id>")
@login_required
def get_payment(payment_id: int):
    return {"payment": payments.get_payment(payment_id, current_user()).to_dict()}


@bp.post("/<int:payment_id>/refund")
@admin_required
def refund_payment(payment_id: int):
    payment = payments.get_payment(payment_id, current_user())
    data = json_body()
    reject_unknown(data, ("amount_cents", "reason"))
    refund = payments.refund(
        payment,
        get_field(data, "amount_cents", int, required=False, min_value=1),
        get_field(data, "reason", str, max_length=200),
    )
    db.session.commit()
    return {"refund": refund.to_dict(), "payment": payment.to_dict()}, 201
