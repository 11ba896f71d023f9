from django import template

register = template.Library()


@register.filter
def signed(value: float) -> str:
    """An effect on a strength with its sign: +0.12, −0.08, 0.00."""
    text = f"{abs(value):.2f}"
    if text == "0.00":
        return text
    return f"+{text}" if value > 0 else f"−{text}"


@register.filter
def meter_value(value: float) -> str:
    """A strength for a <meter value>: a plain decimal point whatever the locale."""
    return f"{value:.3f}"
