import functools
from datetime import date
from typing import Any

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@register.simple_tag
def link(name: str, *args: object) -> str:
    """The address of a named page, as {% url %} gives it, worked out once per process:
    every coach's page repeats the navigation's dozen addresses, and a list one per row,
    which reversing afresh made a fifth of the page's time."""
    return _address(get_script_prefix(), name, tuple(str(arg) for arg in args))


@functools.lru_cache(maxsize=4096)
def _address(prefix: str, name: str, args: tuple[str, ...]) -> str:
    return reverse(name, args=args)


@register.filter
def day(value: date | None) -> str:
    """A date as lists show it, "7 Mar 2027" (|date:"j M Y" without its general machinery,
    which took a list of 25 agreements a millisecond)."""
    if not isinstance(value, date):
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """mapping[key] in a template, or "" when it is missing."""
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return ""


@register.filter
def prose(text: str) -> SafeString:
    """Plain text as paragraphs; lines starting with "- " become a bulleted list."""
    blocks: list[str] = []
    for paragraph in str(text or "").replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in paragraph.strip().split("\n") if line.strip()]
        if not lines:
            continue
        items = [line[2:] for line in lines if line.startswith("- ")]
        if len(items) == len(lines):
            blocks.append(
                format_html(
                    "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((i,) for i in items))
                )
            )
            continue
        lead = [line for line in lines if not line.startswith("- ")]
        escaped = "<br>".join(conditional_escape(line) for line in lead)
        blocks.append(format_html("<p>{}</p>", mark_safe(escaped)))  # noqa: S308 - escaped
        if items:
            blocks.append(
                format_html(
                    "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((i,) for i in items))
                )
            )
    return mark_safe("".join(blocks))  # noqa: S308 - every part is escaped above


@register.filter
def device(user_agent: str) -> str:
    """A browser's name as a person knows it ("Firefox on Windows")."""
    from coaching.devices import describe_device

    return describe_device(str(user_agent or ""))


@register.filter
def has_passkeys(user: Any) -> bool:
    """Whether the account has a passkey to offer at its second step."""
    from allauth.mfa.models import Authenticator

    return bool(
        Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.WEBAUTHN).exists()
    )
