from ninja.security import HttpBearer

from accounts.models import ApiToken


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <key>`` against ApiToken; sets request.user."""

    def authenticate(self, request, token):
        api_token = ApiToken.objects.select_related("user").filter(key=token, revoked=False).first()
        if api_token is None or not api_token.user.is_active:
            return None
        request.user = api_token.user
        return api_token.user


token_auth = TokenAuth()
