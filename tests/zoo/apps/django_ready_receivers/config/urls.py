from django.urls import include, path

urlpatterns = [
    path("books/", include("library.urls")),
    path("activity/", include("activity.urls")),
]
