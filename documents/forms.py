from __future__ import annotations

from typing import Any

from django import forms

from documents.choices import DeliveryMethod
from documents.models import DocumentTemplate
from documents.templating import TemplateInvalid, validate


class DocumentTemplateForm(forms.ModelForm):
    """The admin's form: a template that would not render is refused with a Chinese message, never a 500."""

    class Meta:
        model = DocumentTemplate
        fields = ["kind", "name", "title", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 28, "cols": 100, "style": "font-family: monospace"})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        title, body = data.get("title"), data.get("body")
        if title is not None and body is not None:
            try:
                validate(title, body)
            except TemplateInvalid as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


class DeliveryForm(forms.Form):
    """登记送达 of one document, on the matter page's document list (one small form per document)."""

    method = forms.ChoiceField(label="送达方式", choices=DeliveryMethod.choices, initial=DeliveryMethod.DIRECT,
                               required=False, help_text="不选为直接送达",
                               widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    delivered_on = forms.DateField(label="送达日期", required=False, help_text="留空为今天",
                                   widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}))

    def clean_method(self) -> str:
        return self.cleaned_data.get("method") or DeliveryMethod.DIRECT
