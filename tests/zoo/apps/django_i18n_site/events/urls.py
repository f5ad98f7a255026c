from django.urls import path

from events import views

app_name = "events"
urlpatterns = [
    path("", views.EventList.as_view(), name="list"),
    path("waitlist/", views.waitlist, name="waitlist"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/register/", views.register, name="register"),
]
