from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

from accounts import views

urlpatterns = [
    path("token/", obtain_auth_token, name="api-token"),
    path("me/", views.me, name="me"),
]
