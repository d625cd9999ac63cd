from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from contracts.models import Agreement, AgreementRow

register = template.Library()


@register.simple_tag
def status_badge(agreement: Agreement | AgreementRow) -> SafeString:
    """The agreement's status as the coach reads it, coloured by what it is shown as
    (a tag, not an include: lists show one per row)."""
    return format_html(
        '<span class="badge status-{}">{}</span>', agreement.shown_status, agreement.status_label
    )
