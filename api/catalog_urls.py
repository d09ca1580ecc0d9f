"""/api/v1/: the catalog endpoints (public reads)."""

from django.urls import path

from api import catalog_views as views

urlpatterns = [
    path("products/", views.ProductListView.as_view(), name="product-list"),
    path("products/<slug:slug>/", views.ProductDetailView.as_view(), name="product-detail"),
    path("products/<slug:slug>/reviews/", views.ProductReviewListView.as_view(), name="product-reviews"),
    path("categories/", views.CategoryListView.as_view(), name="category-list"),
    path("categories/<slug:slug>/", views.CategoryDetailView.as_view(), name="category-detail"),
    path("brands/", views.BrandListView.as_view(), name="brand-list"),
    path("tags/", views.TagListView.as_view(), name="tag-list"),
]
