"""Report routes: the sales report for sellers and administrators."""
from __future__ import annotations

from flask import Blueprint

from sample_monolith.services import reports
from sample_monolith.utils import bad_request, current_user, login_required, query_date

bp = Blueprint("reports", __name__, url_prefix="/api/reports")


@bp.get("/sales")
@login_required
def sales():
    since, until = query_date("since"), query_date("until")
    if since and until and since > until:
        raise bad_request("'since' must be on or before 'until'")
    return reports.sales_report(current_user(), since, until)
