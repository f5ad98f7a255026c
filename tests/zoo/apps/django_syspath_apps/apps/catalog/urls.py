from django.urls import path

from catalog.views import ProductDetailView, ProductListView, category_list

app_name = "catalog"

urlpatterns = [
    path("categories/", category_list, name="category-list"),
    path("products/", ProductListView.as_view(), name="product-list"),
    path("products/<int:pk>/", ProductDetailView.as_view(), name="product-detail"),
]
