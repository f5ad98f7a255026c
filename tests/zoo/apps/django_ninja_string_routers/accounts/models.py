import secrets

from django.conf import settings
from django.db import models


def new_key():
    return secrets.token_hex(20)


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key = models.CharField(max_length=40, unique=True, default=new_key)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked = models.BooleanField(default=False)

    def __str__(self):
        return f"token for {self.user_id}"
