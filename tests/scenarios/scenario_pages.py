"""Helpers for driving admin pages with the test client: the POST data a browser would send."""

from django import forms


def _put(data: dict, bound_field) -> None:
    field = bound_field.field
    value = bound_field.value()
    if isinstance(field.widget, forms.CheckboxInput):
        if value:
            data[bound_field.html_name] = "on"
    elif isinstance(value, list | tuple):
        data[bound_field.html_name] = [str(item) for item in value]
    elif value is not None:
        data[bound_field.html_name] = str(value)
    if field.show_hidden_initial:
        initial = field.prepare_value(bound_field.initial)
        data[bound_field.html_initial_name] = "" if initial is None else str(initial)


def page_data(response) -> dict:
    """The data the admin change page in ``response`` would submit unchanged."""
    data: dict = {}
    for bound_field in response.context["adminform"].form:
        _put(data, bound_field)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for bound_field in formset.management_form:
            _put(data, bound_field)
        for form in formset.forms:
            for bound_field in form:
                _put(data, bound_field)
    return data


def inline_form(response, prefix: str, index: int):
    """The bound form ``index`` of the inline formset with ``prefix`` in a re-shown page."""
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.prefix == prefix:
            return inline.formset.forms[index]
    raise KeyError(prefix)


def page_errors(response) -> list[str]:
    """Every error message shown on a re-shown admin page (main form and inlines)."""
    messages = [str(error) for error in response.context["errors"]]
    form = response.context["adminform"].form
    messages += [str(error) for error in form.non_field_errors()]
    for inline in response.context["inline_admin_formsets"]:
        messages += [str(error) for error in inline.formset.non_form_errors()]
        for inline_form_ in inline.formset.forms:
            for errors in inline_form_.errors.values():
                messages += [str(error) for error in errors]
    return messages
