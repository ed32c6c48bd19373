"""Mapping a company's chart of accounts onto the lender's standard chart: the chart and the suggestions."""

from broker.mapping.chart_input import load_chart
from broker.mapping.standard_chart import ChartError, ChartNode, StandardChart, default_chart
from broker.mapping.suggest import Suggestion, learning_key, suggest_mappings

__all__ = [
    "ChartError",
    "ChartNode",
    "StandardChart",
    "Suggestion",
    "default_chart",
    "learning_key",
    "load_chart",
    "suggest_mappings",
]
