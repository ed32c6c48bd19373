"""Building a standard chart: the default one, and a lender's own read from JSON and checked node by node."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from broker.mapping.standard_chart import ROLES, STATEMENT_SIDES, ChartError, ChartNode, StandardChart

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_NODES = 500
MAX_DEPTH = 6
MAX_NAME_LENGTH = 120


_DEFAULT_CHART = """
balance_sheet | Balance sheet | Bilan
  assets | Assets | Actif | asset
    current_assets | Current assets | Actif à court terme
      cash | Cash | Encaisse
      receivables | Receivables | Comptes clients
      inventory | Inventory | Stocks
      other_current_assets | Other current assets | Autres actifs à court terme
    non_current_assets | Non-current assets | Actif à long terme
      fixed_assets | Fixed assets | Immobilisations
      other_assets | Other assets | Autres actifs
  liabilities | Liabilities | Passif | liability
    current_liabilities | Current liabilities | Passif à court terme
      payables | Payables | Comptes fournisseurs
      accrued_liabilities | Accrued liabilities | Charges à payer
      taxes_payable | Taxes payable | Taxes à payer
      short_term_debt | Short-term debt | Dette à court terme | | debt
    non_current_liabilities | Non-current liabilities | Passif à long terme
      long_term_debt | Long-term debt | Dette à long terme | | debt
  equity | Equity | Capitaux propres | equity
    owner_equity | Owner's equity | Capital du propriétaire
    retained_earnings | Retained earnings | Bénéfices non répartis
profit_and_loss | Profit and loss | État des résultats
  income | Income | Produits | income
    revenue | Revenue | Chiffre d'affaires
    other_income | Other income | Autres produits
  direct_costs | Direct costs | Coûts directs | expense
    cost_of_sales | Cost of sales | Coût des ventes
  operating_expenses | Operating expenses | Charges d'exploitation | expense
    payroll_expense | Payroll | Salaires et charges sociales
    rent_occupancy | Rent and occupancy | Loyer et occupation
    marketing | Marketing | Marketing et publicité
    general_admin | General and administrative | Frais généraux et administratifs
    depreciation | Depreciation | Amortissement
  non_operating | Non-operating expenses | Charges hors exploitation | expense
    interest_expense | Interest expense | Intérêts débiteurs
    income_taxes | Income taxes | Impôts sur le résultat
    other_expenses | Other expenses | Autres charges
"""


def _parse_outline(text: str) -> dict[str, Any]:
    roots: list[dict[str, Any]] = []
    stack: list[tuple[int, dict[str, Any]]] = []
    for line in text.strip("\n").splitlines():
        indent = len(line) - len(line.lstrip(" "))
        code, name, name_fr, side, role = ([cell.strip() for cell in line.split("|")] + ["", ""])[:5]
        node: dict[str, Any] = {"code": code, "name": name, "name_fr": name_fr, "children": []}
        node.update({key: value for key, value in (("side", side), ("role", role)) if value})
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if stack:
            stack[-1][1]["children"].append(node)
        else:
            node["statement"] = code
            roots.append(node)
        stack.append((indent, node))
    return {"roots": roots}


def load_default_chart() -> StandardChart:
    """Build the default standard chart from its outline, through the same checks as a lender's own."""
    return load_chart(_parse_outline(_DEFAULT_CHART))


@dataclass
class _Record:
    path: str
    code: str
    name: str
    name_fr: str
    statement: str | None
    side: str | None
    role: str | None
    parent: str | None
    order: int


def _text(raw: Mapping[str, Any], key: str, path: str, errors: list[str], *, required: bool) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            errors.append(f"{path}.{key}: is required")
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME_LENGTH:
        errors.append(f"{path}.{key}: must be a non-empty string of at most {MAX_NAME_LENGTH} characters")
        return None
    return value.strip()


def _record(raw: object, path: str, parent: str | None, order: int, errors: list[str]) -> _Record | None:
    if not isinstance(raw, Mapping):
        errors.append(f"{path}: must be an object with code, name and children or parent")
        return None
    code = raw.get("code")
    if not isinstance(code, str) or not CODE_PATTERN.match(code):
        errors.append(f"{path}.code: {code!r} must match {CODE_PATTERN.pattern} (lowercase letters, digits, _)")
        return None
    name = _text(raw, "name", path, errors, required=True) or code
    name_fr = _text(raw, "name_fr", path, errors, required=False) or name
    statement = _text(raw, "statement", path, errors, required=False)
    if statement is not None and statement not in STATEMENT_SIDES:
        errors.append(f"{path}.statement: must be one of {sorted(STATEMENT_SIDES)}, not {statement!r}")
        statement = None
    side = _text(raw, "side", path, errors, required=False)
    role = _text(raw, "role", path, errors, required=False)
    if role is not None and role not in ROLES:
        errors.append(f"{path}.role: must be one of {sorted(ROLES)}, not {role!r}")
        role = None
    if role is None and code in ROLES:
        role = code
    return _Record(path, code, name, name_fr, statement, side, role, parent, order)


def _flatten_nested(roots: list[Any], errors: list[str]) -> list[_Record]:
    records: list[_Record] = []
    stack: list[tuple[object, str, str | None, int]] = [
        (raw, f"roots[{i}]", None, 1) for i, raw in reversed(list(enumerate(roots)))
    ]
    while stack:
        raw, path, parent, depth = stack.pop()
        if len(records) >= MAX_NODES:
            errors.append(f"chart: has more than {MAX_NODES} nodes")
            break
        if depth > MAX_DEPTH:
            errors.append(f"{path}: is deeper than {MAX_DEPTH} levels")
            continue
        record = _record(raw, path, parent, len(records), errors)
        if record is None:
            continue
        records.append(record)
        children = raw.get("children", []) if isinstance(raw, Mapping) else []
        if not isinstance(children, list):
            errors.append(f"{path}.children: must be a list")
            continue
        stack.extend(
            (child, f"{path}.children[{i}]", record.code, depth + 1) for i, child in reversed(list(enumerate(children)))
        )
    return records


def _flatten_flat(nodes: list[Any], errors: list[str]) -> list[_Record]:
    if len(nodes) > MAX_NODES:
        errors.append(f"chart: has {len(nodes)} nodes, more than {MAX_NODES}")
        return []
    records = []
    for i, raw in enumerate(nodes):
        parent = raw.get("parent") if isinstance(raw, Mapping) else None
        if parent is not None and not isinstance(parent, str):
            errors.append(f"nodes[{i}].parent: must be the code of another node or null")
            continue
        record = _record(raw, f"nodes[{i}]", parent, i, errors)
        if record is not None:
            records.append(record)
    return records


def _check_tree(records: list[_Record], errors: list[str]) -> dict[str, _Record] | None:
    by_code: dict[str, _Record] = {}
    for record in records:
        if record.code in by_code:
            errors.append(f"{record.path}.code: {record.code!r} is already used at {by_code[record.code].path}")
        else:
            by_code[record.code] = record
    for record in by_code.values():
        if record.parent is not None and record.parent not in by_code:
            errors.append(f"{record.path}.parent: no node has code {record.parent!r}")
    for record in by_code.values():
        seen = {record.code}
        current, depth = record, 1
        while current.parent is not None and current.parent in by_code:
            current, depth = by_code[current.parent], depth + 1
            if current.code in seen:
                errors.append(f"{record.path}: {record.code!r} is in a cycle of parents; the chart must be a tree")
                break
            seen.add(current.code)
        else:
            if depth > MAX_DEPTH:
                errors.append(f"{record.path}: {record.code!r} is deeper than {MAX_DEPTH} levels")
    return None if errors else by_code


def _build(record: _Record, kids: dict[str, list[_Record]], statement: str, side: str | None) -> ChartNode:
    children = tuple(_build(kid, kids, statement, kid.side or side) for kid in kids.get(record.code, []))
    return ChartNode(record.code, record.name, record.name_fr, statement, side, children, record.role)


def _check_semantics(by_code: dict[str, _Record], errors: list[str]) -> tuple[ChartNode, ...]:
    kids: dict[str, list[_Record]] = {}
    for record in sorted(by_code.values(), key=lambda r: r.order):
        if record.parent is not None:
            kids.setdefault(record.parent, []).append(record)
    roots: dict[str, _Record] = {}
    for record in sorted(by_code.values(), key=lambda r: r.order):
        if record.parent is not None:
            continue
        if record.statement is None:
            errors.append(f"{record.path}.statement: a root must say its statement ({' or '.join(STATEMENT_SIDES)})")
        elif record.statement in roots:
            errors.append(
                f"{record.path}: a second root for {record.statement} (the first is at"
                f" {roots[record.statement].path}); each statement has a single root"
            )
        else:
            roots[record.statement] = record
    for statement in STATEMENT_SIDES:
        if statement not in roots:
            errors.append(f"chart: has no root for {statement}")

    def check(record: _Record, statement: str, side: str | None) -> None:
        if record.statement is not None and record.statement != statement:
            errors.append(f"{record.path}.statement: {record.statement!r} differs from its root's {statement!r}")
        if record.side is not None:
            if record.side not in STATEMENT_SIDES[statement]:
                allowed = ", ".join(sorted(STATEMENT_SIDES[statement]))
                errors.append(f"{record.path}.side: {record.side!r} is not a {statement} side ({allowed})")
            elif side is not None and record.side != side:
                errors.append(
                    f"{record.path}.side: {record.code!r} is on side {record.side!r} but its parent is on"
                    f" {side!r}; a category belongs to exactly one side"
                )
            side = record.side
        if record.role is not None and ROLES[record.role] != statement:
            errors.append(f"{record.path}.role: {record.role!r} belongs to {ROLES[record.role]}, not {statement}")
        children = kids.get(record.code, [])
        if not children and side is None:
            errors.append(f"{record.path}: leaf {record.code!r} has no side; give it or a parent a side")
        for child in children:
            check(child, statement, side)

    for statement, root in roots.items():
        check(root, statement, None)
    if errors:
        return ()
    ordered = sorted(roots.items(), key=lambda item: list(STATEMENT_SIDES).index(item[0]))
    return tuple(_build(root, kids, statement, root.side) for statement, root in ordered)


def load_chart(data: object) -> StandardChart:
    """Validate a lender-supplied chart and return it as a ``StandardChart``.

    Accepts the nested form ``{"roots": [{code, name, name_fr, statement, side, role, children: [...]}]}``
    (what ``StandardChart.to_dict`` returns) or the flat form ``{"nodes": [{code, name, ..., parent}]}``.
    Raises ``ChartError`` listing every problem with the path of the node it concerns.
    """
    errors: list[str] = []
    if isinstance(data, Mapping) and isinstance(data.get("roots"), list):
        records = _flatten_nested(data["roots"], errors)
    elif isinstance(data, Mapping) and isinstance(data.get("nodes"), list):
        records = _flatten_flat(data["nodes"], errors)
    else:
        raise ChartError(['chart: must be an object with a "roots" list (nested) or a "nodes" list (flat)'])
    by_code = _check_tree(records, errors)
    if by_code is None:
        raise ChartError(errors)
    roots = _check_semantics(by_code, errors)
    if errors:
        raise ChartError(errors)
    return StandardChart(roots)
