"""Root URLs: the contract of ARCHITECTURE.md. Apps are included by name so
that this layer-0 module imports none of them."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from shop import health

# The admin signs in through allauth, so its login gets the same rate limits
# and two-factor step as the shop's.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = f"{settings.SHOP_NAME} administration"
admin.site.site_title = settings.SHOP_NAME

urlpatterns = [
    path("healthz", health.healthz_view, name="healthz"),
    path("api/", include("api.urls")),
    path("accounts/", include("orders.account_urls")),
    path("accounts/", include("api.account_page_urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/analytics/export/", include("analytics.export_urls")),
    path("admin/analytics/", include("analytics.admin_urls")),
    path("admin/", admin.site.urls),
    path("shipping/", include("orders.carrier_webhook_urls")),
    path("cart/", include("cart.urls")),
    path("notifications/", include("notifications.urls")),
    path("notifications/", include("notifications.preference_urls")),
    # The email provider's tracking webhook (bounces, complaints), basic auth
    # with ANYMAIL["WEBHOOK_SECRET"]: notifications.apps hears its events.
    path("anymail/", include("notifications.webhook_urls")),
    path("payments/", include("orders.payment_webhook_urls")),
    path("", include("orders.urls")),
    path("", include("reviews.urls")),
    path("wishlists/", include("wishlists.urls")),
    path("privacy/", include("analytics.urls")),
    path("", include("catalog.urls")),
]

handler400 = "shop.errors.bad_request"
handler403 = "shop.errors.permission_denied"
handler404 = "shop.errors.page_not_found"
handler500 = "shop.errors.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
