"""The lender's standard chart of categories: its nodes, their roles and statements, and lookups over the tree."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

BALANCE_SHEET = "balance_sheet"
PROFIT_AND_LOSS = "profit_and_loss"
STATEMENT_SIDES: dict[str, frozenset[str]] = {
    BALANCE_SHEET: frozenset({"asset", "liability", "equity"}),
    PROFIT_AND_LOSS: frozenset({"income", "expense"}),
}
# Roles tell the statement builder which categories feed which total and ratio, so a lender's chart can use
# its own codes. A leaf has its own roles and its ancestors'; a node whose code is a role name has that role.
ROLES: dict[str, str] = {
    "current_assets": BALANCE_SHEET,
    "current_liabilities": BALANCE_SHEET,
    "debt": BALANCE_SHEET,
    "revenue": PROFIT_AND_LOSS,
    "other_income": PROFIT_AND_LOSS,
    "cost_of_sales": PROFIT_AND_LOSS,
    "operating_expenses": PROFIT_AND_LOSS,
    "depreciation": PROFIT_AND_LOSS,
    "interest_expense": PROFIT_AND_LOSS,
    "income_taxes": PROFIT_AND_LOSS,
    "other_expenses": PROFIT_AND_LOSS,
}


class ChartError(ValueError):
    """A lender-supplied chart is not a valid standard chart; ``errors`` lists one message per problem."""

    code = "invalid_chart"
    status = 422

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__(f"The chart is not valid ({len(errors)} problem(s)): " + "; ".join(errors[:5]))


@dataclass(frozen=True)
class ChartNode:
    """One category of the chart; a node without children is a leaf that accounts are mapped to."""

    code: str
    name: str
    name_fr: str
    statement: str
    side: str | None = None
    children: tuple[ChartNode, ...] = ()
    role: str | None = None

    @property
    def is_leaf(self) -> bool:
        """Whether accounts can be mapped to this node."""
        return not self.children

    def walk(self) -> Iterator[tuple[ChartNode, int]]:
        """Yield this node and its descendants depth first, with their depth (this node is 0)."""
        stack: list[tuple[ChartNode, int]] = [(self, 0)]
        while stack:
            node, depth = stack.pop()
            yield node, depth
            stack.extend((child, depth + 1) for child in reversed(node.children))

    def to_dict(self) -> dict[str, Any]:
        """Return the node as JSON-ready data, in the nested form ``load_chart`` accepts."""
        data: dict[str, Any] = {"code": self.code, "name": self.name, "name_fr": self.name_fr}
        data["statement"] = self.statement
        if self.side:
            data["side"] = self.side
        if self.role and self.role != self.code:
            data["role"] = self.role
        if self.children:
            data["children"] = [child.to_dict() for child in self.children]
        return data


@dataclass(frozen=True)
class StandardChart:
    """A standard chart: one root per statement, with lookups by code built once."""

    roots: tuple[ChartNode, ...]
    _nodes: dict[str, ChartNode] = field(init=False, repr=False, compare=False)
    _parents: dict[str, str | None] = field(init=False, repr=False, compare=False)
    _roles: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        nodes: dict[str, ChartNode] = {}
        parents: dict[str, str | None] = {}
        roles: dict[str, frozenset[str]] = {}

        def visit(node: ChartNode, parent: ChartNode | None) -> None:
            nodes[node.code] = node
            parents[node.code] = parent.code if parent else None
            own = {node.role} if node.role else set()
            roles[node.code] = frozenset(own) | (roles[parent.code] if parent else frozenset())
            for child in node.children:
                visit(child, node)

        for root in self.roots:
            visit(root, None)
        object.__setattr__(self, "_nodes", nodes)
        object.__setattr__(self, "_parents", parents)
        object.__setattr__(self, "_roles", roles)

    def find(self, code: str) -> ChartNode | None:
        """Return the node with this code, or None."""
        return self._nodes.get(code)

    def parent(self, code: str) -> str | None:
        """Return the code of a node's parent (None for a root or an unknown code)."""
        return self._parents.get(code)

    def roles(self, code: str) -> frozenset[str]:
        """Return the roles of a node: its own and those of its ancestors."""
        return self._roles.get(code, frozenset())

    def root(self, statement: str) -> ChartNode | None:
        """Return the root of one statement."""
        return next((root for root in self.roots if root.statement == statement), None)

    def leaves(self, statement: str | None = None) -> list[ChartNode]:
        """Return the leaves in tree order, optionally of one statement only."""
        return [
            node
            for root in self.roots
            if statement in (None, root.statement)
            for node, _ in root.walk()
            if node.is_leaf
        ]

    def is_leaf(self, code: str) -> bool:
        """Whether the code names a leaf of this chart."""
        node = self._nodes.get(code)
        return node is not None and node.is_leaf

    def to_dict(self) -> dict[str, Any]:
        """Return the chart as JSON-ready data that ``load_chart`` accepts back."""
        return {"roots": [root.to_dict() for root in self.roots]}


# The default chart, one node a line: indentation gives the tree; then code | name | name_fr | side | role.


@functools.cache
def default_chart() -> StandardChart:
    """Return the default standard chart whose leaves are the codes listed in docs/data-model.md."""
    from broker.mapping.chart_input import load_default_chart  # it builds on this module's types

    return load_default_chart()
