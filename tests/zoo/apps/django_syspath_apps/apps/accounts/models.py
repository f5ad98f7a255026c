from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    email = models.EmailField(unique=True)
    marketing_opt_in = models.BooleanField(default=False)

    def as_dict(self):
        return {
            "id": self.pk,
            "username": self.username,
            "email": self.email,
            "is_staff": self.is_staff,
        }


class Address(models.Model):
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="addresses")
    line1 = models.CharField(max_length=200)
    city = models.CharField(max_length=100)
    postcode = models.CharField(max_length=20)
    is_default = models.BooleanField(default=False)

    def as_dict(self):
        return {"line1": self.line1, "city": self.city, "postcode": self.postcode}
