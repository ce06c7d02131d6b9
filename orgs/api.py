from rest_framework import serializers, viewsets

from orgs.models import Unit


class UnitSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "code", "name", "short_name", "parent", "parent_code", "level", "kind", "division_code",
                  "is_active"]


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """The org tree. Any staff user may read it (names of public bodies are not confidential)."""

    serializer_class = UnitSerializer
    queryset = Unit.objects.select_related("parent").order_by("path")
    filterset_fields = ["level", "kind", "parent", "division_code", "is_active"]
