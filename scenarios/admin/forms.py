"""Forms of the scenario admin: choices limited to the scenario being edited."""

from django import forms

from scenarios.models import Inject, Lever, Role, Scenario

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def scenario_of(obj) -> Scenario | None:
    """The scenario a scenario row belongs to (None for a row not attached yet)."""
    if isinstance(obj, Scenario):
        return obj if obj.pk else None
    for parent in ("scenario", "round", "red_line", "lever", "inject"):
        if getattr(obj, f"{parent}_id", None) is not None:
            return scenario_of(getattr(obj, parent))
    return None


class ScenarioPartForm(forms.ModelForm):
    """A form for a row of one scenario: its role and lever menus offer that scenario's only."""

    def __init__(self, *args, scenario: Scenario | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scenario = scenario or scenario_of(self.instance)
        for name, model in (("role", Role), ("lever", Lever)):
            if name in self.fields:
                queryset = model.objects.filter(scenario=self.scenario) if self.scenario else None
                self.fields[name].queryset = (
                    queryset if queryset is not None else model.objects.none()
                )


class RoleForm(ScenarioPartForm):
    class Meta:
        model = Role
        fields = [
            "order",
            "code",
            "name",
            "color",
            "weight",
            "public_brief",
            "private_brief",
            "objectives",
        ]
        widgets = {"color": forms.TextInput(attrs={"type": "color"})}


class InjectForm(ScenarioPartForm):
    audience = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick the teams that receive this inject. Leave every box unticked to send "
        "it to all teams.",
    )

    class Meta:
        model = Inject
        fields = ["order", "title", "body", "audience"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = list(self.scenario.roles.values_list("code", flat=True)) if self.scenario else []
        current = self.instance.audience if isinstance(self.instance.audience, list) else []
        choices = [(code, code) for code in codes]
        choices += [
            (code, f"{code} (not a team of this scenario)") for code in current if code not in codes
        ]
        self.fields["audience"].choices = choices
        self.initial["audience"] = current

    def clean_audience(self):
        chosen = set(self.cleaned_data["audience"])
        return [code for code, _label in self.fields["audience"].choices if code in chosen] or "all"


class ScenarioImportForm(forms.Form):
    file = forms.FileField(
        help_text="A scenario file in JSON (.json) or YAML (.yaml, .yml), as exported from here "
        "or written by hand (see docs/scenario-format.md)."
    )
    update = forms.BooleanField(
        required=False,
        label="Replace the scenario with the same slug",
        help_text="Without this, importing a slug that already exists is refused.",
    )
    publish = forms.BooleanField(
        required=False,
        label="Publish it",
        help_text="Facilitators can only choose published scenarios. Without this a new scenario "
        "is a draft and a replaced one keeps its status.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB; is it a scenario file?")
        return upload
