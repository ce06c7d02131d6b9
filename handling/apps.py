from django.apps import AppConfig


class HandlingConfig(AppConfig):
    name = "handling"
    verbose_name = "办理流程"
