"""A list of short texts (objectives, learning objectives) stored as JSON, edited one per line."""

from django import forms
from django.db import models


class LinesFormField(forms.Field):
    """A textarea whose non-blank lines become a list of strings."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return []
        if isinstance(value, list):
            return [str(item) for item in value]
        return [line.strip() for line in str(value).splitlines() if line.strip()]

    def has_changed(self, initial, data):
        return self.to_python(initial) != self.to_python(data)


class TextListField(models.JSONField):
    """A JSON list of strings; forms show it as a textarea with one entry per line."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        # Skip JSONField.formfield: its JSON textarea is not for instructors.
        return models.Field.formfield(self, **{"form_class": LinesFormField, **kwargs})
