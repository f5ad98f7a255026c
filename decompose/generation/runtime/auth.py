"""Who may call a service's internal and reset endpoints. Both fail closed.

    DECOMPOSE_INTERNAL_AUTH=iam (AWS)   the internal route's IAM authorizer checked the caller's SigV4
                                        signature before Lambda ran; the endpoint then also requires API
                                        Gateway's request context to name the signer (identity.userArn and
                                        identity.accessKey, filled only for IAM-authorized requests; chalice
                                        local and the test client never fill them)
    otherwise (local runs, test stages) the X-Decompose-Secret header must equal DECOMPOSE_INTERNAL_SECRET;
                                        when that variable is unset or empty the endpoint answers 503 and
                                        runs nothing

The reset endpoint has no IAM authorizer, so it always takes the secret.
"""

from __future__ import annotations

import hmac
import os
from typing import Any

SECRET_ENV = "DECOMPOSE_INTERNAL_SECRET"
AUTH_ENV = "DECOMPOSE_INTERNAL_AUTH"
SECRET_HEADER = "X-Decompose-Secret"


def refusal(headers: Any, context: Any = None, iam: bool = True) -> tuple[int, str] | None:
    """None when the request may run, else (status, why). iam=False: the secret only (reset)."""
    if iam and os.environ.get(AUTH_ENV) == "iam":
        identity = (context or {}).get("identity") or {}
        if identity.get("userArn") and identity.get("accessKey"):
            return None
        return 403, "this endpoint takes only SigV4-signed calls authorized by API Gateway's IAM authorizer"
    secret = os.environ.get(SECRET_ENV, "")
    if not secret:
        return 503, f"not configured: {SECRET_ENV} is not set in this service, so it refuses every call"
    sent = headers.get(SECRET_HEADER.lower()) or headers.get(SECRET_HEADER) or ""
    if not hmac.compare_digest(str(sent).encode(), secret.encode()):
        return 403, f"missing or wrong {SECRET_HEADER}"
    return None
