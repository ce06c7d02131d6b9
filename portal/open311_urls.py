from django.urls import re_path

from portal import open311

app_name = "open311"
urlpatterns = [
    re_path(r"^v2/services\.json$", open311.ServiceList.as_view(), name="services"),
    re_path(r"^v2/requests\.json$", open311.RequestCreate.as_view(), name="requests"),
    re_path(r"^v2/requests/(?P<number>[^/]{1,60})\.json$", open311.RequestDetail.as_view(), name="request"),
]
