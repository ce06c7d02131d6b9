from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("roster/", views.roster, name="roster"),
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("faq/", views.faq, name="faq"),
    path("captcha.png", views.captcha_image, name="captcha"),
    path("submit/", views.submit, name="submit"),
    path("submit/done/", views.receipt, name="receipt"),
    path("follow/", views.follow, name="follow"),
    path("follow/matter/", views.matter, name="matter"),
    path("follow/matter/rate/", views.rate, name="rate"),
    path("follow/matter/documents/<int:pk>.<str:fmt>", views.document, name="document"),
    path("follow/leave/", views.leave, name="leave"),
]
