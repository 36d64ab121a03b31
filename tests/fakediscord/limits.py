"""Discord's payload limits, checked the way Discord checks them.

A bot that passes against the fake must not be refused by Discord, so every Discord limit the bot must respect is
enforced here and reported in Discord's own error shape: HTTP 400 with
``{"code": 50035, "message": "Invalid Form Body", "errors": {<path>: {"_errors": [...]}}}``.
discord.py turns that body into ``HTTPException(code=50035)`` with the paths in its text, so a failing test
shows which field overflowed.

Functions here are pure: they take the JSON the bot sent and return :class:`FormError` lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .models import COMPONENTS_V2, JsonDict, walk_components

Path = tuple[str | int, ...]

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
ACTION_ROWS_MAX = 5
BUTTONS_PER_ROW_MAX = 5
BUTTON_LABEL_MAX = 80
CUSTOM_ID_MAX = 100
SELECT_OPTIONS_MAX = 25
SELECT_OPTION_TEXT_MAX = 100
SELECT_PLACEHOLDER_MAX = 150
MODAL_TITLE_MAX = 45
MODAL_ROWS_MAX = 5
TEXT_INPUT_LABEL_MAX = 45
TEXT_INPUT_VALUE_MAX = 4000
TEXT_INPUT_PLACEHOLDER_MAX = 100
V2_COMPONENTS_MAX = 40

SELECT_TYPES = frozenset({3, 5, 6, 7, 8})
COMMAND_NAME_RE = re.compile(r"^[-_'\w]{1,32}$")


@dataclass(frozen=True)
class FormError:
    """One refused field: where it is, Discord's error code for it, and the human message."""

    path: Path
    code: str
    message: str

    def describe(self) -> str:
        where = ".".join(str(p) for p in self.path) or "<body>"
        return f"{where}: {self.message}"


def invalid_form_body(errors: Sequence[FormError]) -> JsonDict:
    """Nest the errors the way Discord does: ``{"embeds": {"0": {"title": {"_errors": [...]}}}}``."""
    tree: JsonDict = {}
    for error in errors:
        node = tree
        for part in error.path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": error.code, "message": error.message})
    return {"code": 50035, "message": "Invalid Form Body", "errors": tree}


def _max_len(errors: list[FormError], path: Path, value: Any, limit: int) -> int:
    """Refuse strings longer than ``limit``; return the length so callers can total embed sizes."""
    if not isinstance(value, str):
        return 0
    if len(value) > limit:
        errors.append(FormError(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."))
    return len(value)


def _max_items(errors: list[FormError], path: Path, value: Any, limit: int) -> None:
    if isinstance(value, list) and len(value) > limit:
        errors.append(FormError(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."))


def _required(errors: list[FormError], path: Path, value: Any) -> None:
    if value is None or value == "":
        errors.append(FormError(path, "BASE_TYPE_REQUIRED", "This field is required"))


def check_embeds(embeds: Any, prefix: Path) -> list[FormError]:
    errors: list[FormError] = []
    if not isinstance(embeds, list):
        return errors
    _max_items(errors, (*prefix, "embeds"), embeds, EMBEDS_MAX)
    total = 0
    for index, embed in enumerate(embeds):
        if not isinstance(embed, Mapping):
            continue
        at: Path = (*prefix, "embeds", index)
        total += _max_len(errors, (*at, "title"), embed.get("title"), EMBED_TITLE_MAX)
        total += _max_len(errors, (*at, "description"), embed.get("description"), EMBED_DESCRIPTION_MAX)
        fields = embed.get("fields") or []
        _max_items(errors, (*at, "fields"), fields, EMBED_FIELDS_MAX)
        for f_index, item in enumerate(fields):
            f_at: Path = (*at, "fields", f_index)
            _required(errors, (*f_at, "name"), item.get("name"))
            _required(errors, (*f_at, "value"), item.get("value"))
            total += _max_len(errors, (*f_at, "name"), item.get("name"), EMBED_FIELD_NAME_MAX)
            total += _max_len(errors, (*f_at, "value"), item.get("value"), EMBED_FIELD_VALUE_MAX)
        footer = embed.get("footer") or {}
        total += _max_len(errors, (*at, "footer", "text"), footer.get("text"), EMBED_FOOTER_MAX)
        author = embed.get("author") or {}
        total += _max_len(errors, (*at, "author", "name"), author.get("name"), EMBED_AUTHOR_MAX)
    if total > EMBED_TOTAL_MAX:
        errors.append(
            FormError(
                (*prefix, "embeds"),
                "MAX_EMBED_SIZE_EXCEEDED",
                f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX} (got {total})",
            )
        )
    return errors


def _check_interactive(errors: list[FormError], path: Path, component: Mapping[str, Any]) -> None:
    """Limits shared by buttons and selects wherever they sit."""
    kind = component.get("type")
    if kind == 2:
        _max_len(errors, (*path, "label"), component.get("label"), BUTTON_LABEL_MAX)
        if component.get("style") == 5:
            _required(errors, (*path, "url"), component.get("url"))
        elif component.get("style") != 6:  # premium buttons carry a sku_id instead
            _required(errors, (*path, "custom_id"), component.get("custom_id"))
    if kind in SELECT_TYPES:
        _max_len(errors, (*path, "placeholder"), component.get("placeholder"), SELECT_PLACEHOLDER_MAX)
        options = component.get("options") or []
        _max_items(errors, (*path, "options"), options, SELECT_OPTIONS_MAX)
        if kind == 3 and not options:
            errors.append(FormError((*path, "options"), "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length."))
        for o_index, option in enumerate(options):
            for key in ("label", "value", "description"):
                _max_len(errors, (*path, "options", o_index, key), option.get(key), SELECT_OPTION_TEXT_MAX)
        for key in ("min_values", "max_values"):
            value = component.get(key)
            if isinstance(value, int) and not 0 <= value <= SELECT_OPTIONS_MAX:
                errors.append(FormError((*path, key), "NUMBER_TYPE_MAX", "int value should be <= 25 and >= 0."))
    if "custom_id" in component:
        _max_len(errors, (*path, "custom_id"), component.get("custom_id"), CUSTOM_ID_MAX)


def _check_duplicates(errors: list[FormError], path: Path, components: list[JsonDict]) -> None:
    seen: set[str] = set()
    for component in walk_components(components):
        custom_id = component.get("custom_id")
        if isinstance(custom_id, str):
            if custom_id in seen:
                errors.append(
                    FormError(path, "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
                )
            seen.add(custom_id)


def check_components(components: Any, prefix: Path, flags: int) -> list[FormError]:
    """Message components: classic action rows, or the v2 layout when the flag is set."""
    errors: list[FormError] = []
    if not isinstance(components, list):
        return errors
    path: Path = (*prefix, "components")
    if flags & COMPONENTS_V2:
        everything = list(walk_components(components))
        if len(everything) > V2_COMPONENTS_MAX:
            errors.append(FormError(path, "BASE_TYPE_MAX_LENGTH", f"Must be {V2_COMPONENTS_MAX} or fewer."))
        for index, component in enumerate(everything):
            _check_interactive(errors, (*path, index), component)
        _check_duplicates(errors, path, components)
        return errors
    _max_items(errors, path, components, ACTION_ROWS_MAX)
    for r_index, row in enumerate(components):
        row_path: Path = (*path, r_index)
        if row.get("type") != 1:
            errors.append(FormError((*row_path, "type"), "UNION_TYPE_CHOICES", "Value must be one of {1}."))
            continue
        children = row.get("components") or []
        if not children:
            errors.append(FormError((*row_path, "components"), "BASE_TYPE_MIN_LENGTH", "Must be 1 or more."))
        selects = [c for c in children if c.get("type") in SELECT_TYPES]
        if selects and len(children) > 1:
            errors.append(
                FormError((*row_path, "components"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "A select fills its row")
            )
        _max_items(errors, (*row_path, "components"), children, BUTTONS_PER_ROW_MAX)
        for c_index, child in enumerate(children):
            _check_interactive(errors, (*row_path, "components", c_index), child)
    _check_duplicates(errors, path, components)
    return errors


def check_message(body: Mapping[str, Any], prefix: Path = ()) -> list[FormError]:
    """Check the message fields present in ``body`` (a create, an edit, or callback ``data``)."""
    errors: list[FormError] = []
    _max_len(errors, (*prefix, "content"), body.get("content"), CONTENT_MAX)
    errors += check_embeds(body.get("embeds"), prefix)
    flags = body.get("flags") or 0
    errors += check_components(body.get("components"), prefix, flags if isinstance(flags, int) else 0)
    if flags and isinstance(flags, int) and flags & COMPONENTS_V2:
        for key in ("content", "embeds"):
            if body.get(key):
                errors.append(
                    FormError((*prefix, key), "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2", "Not allowed")
                )
    return errors


def _check_text_input(errors: list[FormError], path: Path, component: Mapping[str, Any], in_label: bool) -> None:
    if component.get("type") != 4:
        if component.get("type") not in SELECT_TYPES | {10, 19}:
            errors.append(FormError((*path, "type"), "UNION_TYPE_CHOICES", "Not a modal component."))
        else:
            _check_interactive(errors, path, component)
        return
    _required(errors, (*path, "custom_id"), component.get("custom_id"))
    _max_len(errors, (*path, "custom_id"), component.get("custom_id"), CUSTOM_ID_MAX)
    if not in_label:
        _required(errors, (*path, "label"), component.get("label"))
    _max_len(errors, (*path, "label"), component.get("label"), TEXT_INPUT_LABEL_MAX)
    _max_len(errors, (*path, "value"), component.get("value"), TEXT_INPUT_VALUE_MAX)
    _max_len(errors, (*path, "placeholder"), component.get("placeholder"), TEXT_INPUT_PLACEHOLDER_MAX)
    for key, low in (("min_length", 0), ("max_length", 1)):
        value = component.get(key)
        if isinstance(value, int) and not low <= value <= TEXT_INPUT_VALUE_MAX:
            errors.append(
                FormError(
                    (*path, key), "NUMBER_TYPE_MAX", f"int value should be <= {TEXT_INPUT_VALUE_MAX} and >= {low}."
                )
            )


def check_modal(data: Mapping[str, Any], prefix: Path = ("data",)) -> list[FormError]:
    """A modal (callback type 9): title, custom_id, at most five rows/labels of inputs."""
    errors: list[FormError] = []
    _required(errors, (*prefix, "title"), data.get("title"))
    _max_len(errors, (*prefix, "title"), data.get("title"), MODAL_TITLE_MAX)
    _required(errors, (*prefix, "custom_id"), data.get("custom_id"))
    _max_len(errors, (*prefix, "custom_id"), data.get("custom_id"), CUSTOM_ID_MAX)
    rows = data.get("components") or []
    path: Path = (*prefix, "components")
    if not rows:
        errors.append(FormError(path, "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length."))
    _max_items(errors, path, rows, MODAL_ROWS_MAX)
    for index, row in enumerate(rows):
        row_path: Path = (*path, index)
        if row.get("type") == 1:
            children = row.get("components") or []
            if len(children) != 1:
                errors.append(FormError((*row_path, "components"), "BASE_TYPE_BAD_LENGTH", "Must be 1 in length."))
            for c_index, child in enumerate(children):
                _check_text_input(errors, (*row_path, "components", c_index), child, in_label=False)
        elif row.get("type") == 18:
            _required(errors, (*row_path, "label"), row.get("label"))
            _max_len(errors, (*row_path, "label"), row.get("label"), TEXT_INPUT_LABEL_MAX)
            _check_text_input(errors, (*row_path, "component"), row.get("component") or {}, in_label=True)
        elif row.get("type") != 10:
            errors.append(FormError((*row_path, "type"), "UNION_TYPE_CHOICES", "Value must be one of {1, 10, 18}."))
    _check_duplicates(errors, path, rows)
    return errors


def _check_options(errors: list[FormError], path: Path, options: Iterable[Mapping[str, Any]]) -> None:
    listed = list(options)
    _max_items(errors, path, listed, 25)
    for index, option in enumerate(listed):
        at: Path = (*path, index)
        name = option.get("name")
        if not isinstance(name, str) or not COMMAND_NAME_RE.match(name) or name != name.lower():
            errors.append(FormError((*at, "name"), "APPLICATION_COMMAND_INVALID_NAME", f"Invalid name {name!r}"))
        _required(errors, (*at, "description"), option.get("description"))
        _max_len(errors, (*at, "description"), option.get("description"), 100)
        _max_items(errors, (*at, "choices"), option.get("choices") or [], 25)
        _check_options(errors, (*at, "options"), option.get("options") or [])


def check_commands(commands: Any) -> list[FormError]:
    """Bulk command overwrite: names, descriptions, option and choice counts."""
    errors: list[FormError] = []
    if not isinstance(commands, list):
        return [FormError((), "BASE_TYPE_ARRAY", "Must be an array.")]
    for index, command in enumerate(commands):
        kind = command.get("type", 1)
        name = command.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 32:
            errors.append(FormError((index, "name"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length."))
        elif kind == 1 and (not COMMAND_NAME_RE.match(name) or name != name.lower()):
            errors.append(FormError((index, "name"), "APPLICATION_COMMAND_INVALID_NAME", f"Invalid name {name!r}"))
        if kind == 1:
            _required(errors, (index, "description"), command.get("description"))
            _max_len(errors, (index, "description"), command.get("description"), 100)
        _check_options(errors, (index, "options"), command.get("options") or [])
    return errors
