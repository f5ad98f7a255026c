from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("session/", views.session, name="session"),
    path("addresses/", views.addresses, name="addresses"),
]
