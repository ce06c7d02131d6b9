from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from xinfang.api import router

admin.site.site_header = "xinfang 信访工作平台 · 系统管理"
admin.site.site_title = "xinfang 系统管理"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("petitions/", include("petitions.urls")),
    path("handling/", include("handling.urls")),
    path("deadlines/", include("deadlines.urls")),
    path("notifications/", include("notifications.urls")),
    path("documents/", include("documents.urls")),
    path("insight/", include("insight.urls")),
    path("reception/", include("reception.urls")),
    path("leaders/", include("leaders.urls")),
    path("stats/", include("stats.urls")),
    path("public/", include("portal.urls")),
    path("admin/", admin.site.urls),
    path("open311/", include("portal.open311_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include(router.urls)),
]

handler404 = "core.errors_views.not_found"
handler500 = "core.errors_views.server_error"
handler403 = "core.errors_views.forbidden"
