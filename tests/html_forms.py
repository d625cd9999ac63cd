"""The fields of a page's forms, read from its HTML as a browser reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

# Inputs a browser does not submit from the page by itself.
NOT_SUBMITTED = {"submit", "button", "reset", "image", "file"}


@dataclass
class Field:
    """One named field: what the page offers, and what a browser would send as it stands."""

    name: str
    kind: str  # the input's type, "select" or "textarea"
    sent: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    max_length: int | None = None

    @property
    def is_free_text(self) -> bool:
        return self.kind in {"text", "textarea", "search"}


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: dict[tuple[str, str], dict[str, Field]] = {}
        self.fields: dict[str, Field] = self.forms.setdefault(("get", ""), {})
        self._select: Field | None = None
        self._option: tuple[str, bool] | None = None
        self._option_text = ""
        self._textarea: Field | None = None

    def _field(self, name: str, kind: str, max_length: str | None) -> Field:
        found = self.fields.setdefault(name, Field(name, kind))
        if max_length and max_length.isdigit():
            found.max_length = int(max_length)
        return found

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        name = attributes.get("name", "")
        if tag == "form":
            method = attributes.get("method", "get").lower()
            self.fields = self.forms.setdefault((method, attributes.get("action", "")), {})
        elif tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            if kind in NOT_SUBMITTED:
                return
            found = self._field(name, kind, attributes.get("maxlength"))
            value = attributes.get("value", "on" if kind in {"checkbox", "radio"} else "")
            if kind in {"checkbox", "radio"}:
                found.options.append(value)
                if "checked" in attributes:
                    found.sent.append(value)
            else:
                found.sent.append(value)
        elif tag == "textarea" and name:
            self._textarea = self._field(name, "textarea", attributes.get("maxlength"))
            self._textarea.sent.append("")
        elif tag == "select" and name:
            self._select = self._field(name, "select", None)
        elif tag == "option" and self._select is not None:
            self._option = (attributes.get("value", "\0"), "selected" in attributes)
            self._option_text = ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.sent[-1] += data
        if self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            # A browser drops the newline that follows the opening tag.
            self._textarea.sent[-1] = self._textarea.sent[-1].removeprefix("\n")
            self._textarea = None
        elif tag == "option" and self._select is not None and self._option is not None:
            value, selected = self._option
            value = self._option_text.strip() if value == "\0" else value
            self._select.options.append(value)
            if selected:
                self._select.sent.append(value)
            self._option = None
        elif tag == "select" and self._select is not None:
            if not self._select.sent and self._select.options:
                self._select.sent.append(self._select.options[0])
            self._select = None


def forms(html: str) -> dict[tuple[str, str], dict[str, Field]]:
    """The named fields of the page's forms, by method and by the address each form is sent
    to ("" for the page itself; forms with the same method and address are taken together)."""
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    return reader.forms


def form_fields(html: str) -> dict[str, Field]:
    """Every named field of every form on the page (csrfmiddlewaretoken included)."""
    return {name: found for fields in forms(html).values() for name, found in fields.items()}


def form_data(html: str) -> dict[str, list[str]]:
    """What a browser submits from the page as it stands, field by field."""
    return {name: found.sent for name, found in form_fields(html).items() if found.sent}
