from django.contrib.auth import authenticate
from ninja import Router, Status

from accounts.auth import token_auth
from accounts.models import ApiToken
from accounts.schemas import Credentials, Error, TokenOut, UserOut

router = Router()


@router.post("/token", response={201: TokenOut, 401: Error})
def issue_token(request, payload: Credentials):
    user = authenticate(username=payload.username, password=payload.password)
    if user is None:
        return Status(401, {"detail": "invalid credentials"})
    token = ApiToken.objects.create(user=user)
    return Status(201, {"token": token.key})


@router.get("/me", response=UserOut, auth=token_auth)
def me(request):
    return request.auth
