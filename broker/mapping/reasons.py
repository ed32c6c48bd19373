"""Why a suggestion was made: a stable code from a closed set, plain parameters, and the English sentence of both."""

from __future__ import annotations

from collections.abc import Mapping

from broker.mapping.rules import CODE_RANGES
from broker.mapping.schemes import BY_NAME
from broker.mapping.standard_chart import StandardChart

# The signal an account's structure gives, as the sentences name it; ``{value}`` is the account's own field.
SIGNAL_SENTENCES: dict[str, str] = {
    "classification": "classification {value}",
    "type": "type {value}",
    "code": "code {value} in the {range}xxx range ({range_label})",
}
# One sentence per reason code. The widget has the same codes in its catalogues (``map.reason.<code>``), so a code
# is a contract: add one only together with its catalogue entries, never rename one.
REASON_SENTENCES: dict[str, str] = {
    "learned": "confirmed as {category_name} for another company of this lender",
    "learned_disagrees": (
        "confirmed as {category_name} for another company of this lender, but its {signal_text} disagrees"
    ),
    "keyword": "{signal_text} and name contains '{phrase}'",
    "keyword_only": "name contains '{phrase}' (no type or classification)",
    "chart_name": "name contains the category name '{phrase}'",
    "parent_name": "its parent account's name contains '{phrase}'",
    "chart_order": "the accounts listed around it are {side} accounts",
    "subtype": "subtype '{value}'",
    "classification": "{signal_text}",
    "type": "{signal_text}",
    "code_range": "{signal_text}",
    "first_on_side": "{signal_text}; first {side} category of the chart",
    "none": "no usable signal in the name, subtype, type, classification or code",
}
REASON_CODES: tuple[str, ...] = tuple(REASON_SENTENCES)


def signal_params(signal: str, value: str, code_range: str | None = None) -> dict[str, str]:
    """Return the parameters naming one structural signal: its kind, the account's value and the code's range."""
    params = {"signal": signal, "value": value}
    if code_range is not None:
        params["range"] = code_range
    return params


def english_reason(code: str, params: Mapping[str, str], chart: StandardChart) -> str:
    """Return the English sentence for a reason ``code`` and its ``params``; category codes are named by ``chart``."""
    fields = dict(params)
    if "category" in params:
        node = chart.find(params["category"])
        fields["category_name"] = f"'{node.name if node else params['category']}'"
    signal = params.get("signal")
    if signal in SIGNAL_SENTENCES:
        range_label = CODE_RANGES[params["range"]][2] if params.get("range") in CODE_RANGES else ""
        scheme = BY_NAME.get(params.get("scheme", ""))
        if scheme is not None:
            range_label = scheme.labels.get(params.get("range", ""), scheme.name)
        fields["signal_text"] = SIGNAL_SENTENCES[signal].format_map(fields | {"range_label": range_label})
    return REASON_SENTENCES[code].format_map(fields)
