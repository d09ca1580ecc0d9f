from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("products/<slug:slug>/reviews/", views.reviews_view, name="reviews"),
    path("products/<slug:slug>/reviews/write/", views.review_write_view, name="write"),
    path("products/<slug:slug>/reviews/<int:pk>/", views.review_detail_view, name="detail"),
    path("products/<slug:slug>/reviews/<int:pk>/delete/", views.review_delete_view, name="delete"),
    path("products/<slug:slug>/reviews/<int:pk>/helpful/", views.review_helpful_view, name="helpful"),
    path("products/<slug:slug>/reviews/<int:pk>/report/", views.review_report_view, name="report"),
    path("accounts/reviews/", views.reviews_mine_view, name="mine"),
]
