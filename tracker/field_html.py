"""A form field's HTML: the markup WTForms' own widgets write, built in one pass.

WTForms renders through generic machinery: dir() over the field's flags for every input, an
attribute writer that cleans and escapes key by key, an inspect.signature() call for every <select>
and an object per option. That cost 40–70 µs a field, a quarter of the time of the pages that carry
forms (the people list, a person's file, the loans list). `Form.Meta.render_field` sends the widgets
listed in RENDERERS here; any other widget (the list around radio buttons) renders through WTForms.
tests/test_field_html.py checks that both write the same HTML, field by field and page by page.
"""

from markupsafe import Markup, escape
from wtforms.widgets import (
    CheckboxInput,
    DateInput,
    HiddenInput,
    NumberInput,
    PasswordInput,
    RadioInput,
    Select,
    TextArea,
    TextInput,
)


def attributes(attrs: dict) -> str:
    """Attributes in WTForms' order (sorted by name): True writes the bare name, False nothing."""
    parts = []
    for name in sorted(attrs):
        value = attrs[name]
        if value is True:
            parts.append(name)
        elif value is not False:
            parts.append(f'{name}="{escape(value)}"')
    return " ".join(parts)


def flag_attributes(field, names, attrs: dict, *, call: bool) -> None:
    """The validators' flags the widget writes as attributes (maxlength, required, min...), unless
    the template gave them; WTForms' Input calls a callable flag, TextArea and Select do not."""
    for name, value in vars(field.flags).items():
        if name in names and name not in attrs:
            attrs[name] = value() if call and callable(value) else value


def input_html(field, widget, attrs: dict) -> Markup:
    if isinstance(widget, PasswordInput) and widget.hide_value:
        attrs["value"] = ""
    elif isinstance(widget, CheckboxInput) and getattr(field, "checked", field.data):
        attrs.setdefault("checked", True)
    elif isinstance(widget, RadioInput) and field.checked:
        attrs.setdefault("checked", True)
    attrs.setdefault("id", field.id)
    attrs.setdefault("type", widget.input_type)
    if "value" not in attrs:
        attrs["value"] = field._value()
    datalist = getattr(field, "_datalist", None)
    if datalist is not None and "list" not in attrs:
        attrs["list"] = datalist if isinstance(datalist, str) else datalist.id
    flag_attributes(field, widget.validation_attrs, attrs, call=True)
    attrs["name"] = field.name
    return Markup(f"<input {attributes(attrs)}>")


def textarea_html(field, widget, attrs: dict) -> Markup:
    attrs.setdefault("id", field.id)
    flag_attributes(field, widget.validation_attrs, attrs, call=False)
    attrs["name"] = field.name
    return Markup(f"<textarea {attributes(attrs)}>\r\n{escape(field._value())}</textarea>")


def select_html(field, widget, attrs: dict) -> Markup | None:
    if field.has_groups():
        return None  # <optgroup>: WTForms writes it
    attrs.setdefault("id", field.id)
    if widget.multiple:
        attrs["multiple"] = True
    flag_attributes(field, widget.validation_attrs, attrs, call=False)
    attrs["name"] = field.name
    html = [f"<select {attributes(attrs)}>"]
    for choice in field.iter_choices():
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        option = {"value": value, **(choice.render_kw or {})}
        if choice.selected:
            option["selected"] = True
        html.append(f"<option {attributes(option)}>{escape(choice.label or choice.value)}</option>")
    html.append("</select>")
    return Markup("".join(html))


# By exact class: a subclass may write something else, so it goes to WTForms.
RENDERERS = {
    TextInput: input_html,
    DateInput: input_html,
    NumberInput: input_html,
    HiddenInput: input_html,
    PasswordInput: input_html,
    CheckboxInput: input_html,
    RadioInput: input_html,  # each button of a radio list, which WTForms' ListWidget writes
    TextArea: textarea_html,
    Select: select_html,
}


def field_html(field, attrs: dict) -> Markup | None:
    """The field's HTML with these (cleaned) attributes, or None when WTForms must write it."""
    render = RENDERERS.get(type(field.widget))
    return render(field, field.widget, attrs) if render else None
