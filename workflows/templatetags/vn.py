"""Vietnamese number formats for templates: money is written 3.510.000 whatever the interface language."""

from django import template

from workflows.exports import format_vnd

register = template.Library()


@register.filter
def vnd(value) -> str:
    """An amount of money in đồng, grouped by dots: 3510000 → "3.510.000"."""
    if value in (None, ""):
        return ""
    return format_vnd(value)
