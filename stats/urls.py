from django.urls import path

from stats import views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("parts/<slug:part>/", views.dashboard_part, name="dashboard_part"),
    path("drill/<slug:metric>/", views.drilldown, name="drilldown"),
    path("report/", views.report, name="report"),
    path("report/export.<str:fmt>", views.report_export, name="report_export"),
    path("annual/", views.annual, name="annual"),
    path("annual/export.<str:fmt>", views.annual_export, name="annual_export"),
    path("bulletins/", views.bulletin_list, name="bulletins"),
    path("bulletins/new/", views.bulletin_new, name="bulletin_new"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin"),
    path("bulletins/<int:pk>/publish/", views.bulletin_publish, name="bulletin_publish"),
    path("bulletins/<int:pk>/discard/", views.bulletin_discard, name="bulletin_discard"),
    path("bulletins/<int:pk>/file.<str:fmt>", views.bulletin_file, name="bulletin_file"),
]
