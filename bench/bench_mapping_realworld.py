"""Print how auto-suggestion does on real-world charts of accounts, and how far its confidence can be trusted.

Reads the public chart templates and the scoring rules of ``../shared/realworld-charts/`` (its
``score_mapping.py`` derives each account's truth from the source's own types and groups, never from names) when
that folder is present; says so and exits 0 when it is not. Prints, per input condition (A: name + code + app
type, B: name + code, C: name only) and per language: section right, confidently wrong (not flagged, wrong
section) and flagged for review. Then the reliability table: per confidence band, the share of suggestions whose
section was right, on these charts and on the sandbox companies (whose truth is seeded), each chart's
confidences measured without that chart (leave one source file out), so the table is not read off the data that
set it.

``--write-calibration`` rewrites ``broker/mapping/calibration.json`` from all of it; ``--write-docs`` rewrites
the reliability table in ``docs/map-reconcile.md``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from broker.mapping import default_chart, suggest_mappings  # noqa: E402
from broker.mapping.calibration import TRUSTED, confidence  # noqa: E402
from broker.mapping.lexicon import SIDE_OF_SECTION  # noqa: E402
from broker.mapping.suggest import decide_all  # noqa: E402

SHARED = ROOT.parent / "shared" / "realworld-charts"
CONDITIONS = ("A", "B", "C")
BANDS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 0.97), (0.97, 1.01))
DOC = ROOT / "docs" / "map-reconcile.md"
DOC_START = "<!-- reliability table: bench/bench_mapping_realworld.py --write-docs -->"
DOC_END = "<!-- end of reliability table -->"


@dataclass
class Scored:
    """One suggestion scored: where it came from, its basis, whether its section was right, and its flags."""

    source: str  # "real" or "sandbox"
    group: str  # the source file (held out together)
    chart: str
    language: str
    condition: str
    basis: str
    right: bool
    section_scored: bool
    confidence: float = 0.0
    needs_review: bool = True
    first_basis: str = ""  # the account's own evidence, before its neighbours were read
    first_right: bool = False


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_mapping", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["score_mapping"] = module
    spec.loader.exec_module(module)
    return module


def real_world(folder: Path) -> list[Scored]:
    """Score every leaf account of the shared charts under the three conditions."""
    scoring = _load(folder / "score_mapping.py")
    chart = default_chart()
    section_of = {leaf.code: chart.parent(leaf.code) for leaf in chart.leaves()}
    side_of = {leaf.code: leaf.side for leaf in chart.leaves()}
    out: list[Scored] = []
    for key, language, _label, filename, loader, name_column, groups in scoring.CHARTS:
        path = str(folder / "charts" / filename)
        skipped: Counter[str] = Counter()
        if loader == "odoo":
            accounts = scoring.load_odoo(key, path, name_column, groups, skipped)
        else:
            accounts = scoring.load_erpnext(key, path, groups, skipped)
        for condition in CONDITIONS:
            inputs = [account.inputs[condition] for account in accounts]
            decisions = decide_all(inputs)
            suggestions = suggest_mappings(inputs, chart)
            for account, decision, suggestion in zip(accounts, decisions, suggestions, strict=True):
                got = suggestion.category
                first = decision.first_section
                if account.section is not None:
                    right = section_of.get(got or "") == account.section
                    first_right = first == account.section
                else:
                    right = side_of.get(got or "") == account.side
                    first_right = first is not None and SIDE_OF_SECTION[first] == account.side
                scored = Scored(
                    "real",
                    filename,
                    key,
                    language,
                    condition,
                    decision.basis,
                    right,
                    account.section is not None,
                    suggestion.confidence,
                    suggestion.needs_review,
                    decision.first_basis,
                    first_right,
                )
                out.append(scored)
    return out


def sandbox(companies: int) -> list[Scored]:
    """Score the sandbox companies' accounts as connected (A), and with only name and code (B) or name (C)."""
    bench = _load_sibling("bench_suggestion_accuracy")
    chart = default_chart()
    out: list[Scored] = []
    for integration, charts in bench.sandbox_charts(companies).items():
        for accounts in charts:
            variants = {
                "A": accounts,
                "B": [{"id": a.get("id"), "name": a.get("name"), "code": a.get("code")} for a in accounts],
                "C": [{"id": a.get("id"), "name": a.get("name")} for a in accounts],
            }
            for condition, inputs in variants.items():
                decisions = decide_all(inputs)
                for account, decision, suggestion in zip(
                    accounts, decisions, suggest_mappings(inputs, chart), strict=True
                ):
                    truth = bench.TRUTH.get(str(account.get("code")))
                    if truth is None:
                        continue
                    right = chart.parent(suggestion.category or "") == chart.parent(truth)
                    language = "fr" if integration == "xenon" else "en"
                    out.append(
                        Scored(
                            "sandbox",
                            integration,
                            integration,
                            language,
                            condition,
                            decision.basis,
                            right,
                            True,
                            suggestion.confidence,
                            suggestion.needs_review,
                            decision.first_basis,
                            decision.first_section == chart.parent(truth),
                        )
                    )
    return out


def _load_sibling(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def counts(rows: Iterable[Scored]) -> dict[str, tuple[int, int]]:
    """Return (right, seen) per basis and per coarser basis, for the suggestion and for the account's own evidence."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        for basis, right in ((row.basis, row.right), (row.first_basis, row.first_right)):
            for key in {basis, basis.split(":", 1)[0]} if basis else ():
                tally[key][0] += right
                tally[key][1] += 1
    return {key: (right, seen) for key, (right, seen) in sorted(tally.items())}


def pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:5.1f} %" if whole else "    -  "


def table(rows: list[Scored], label: str) -> None:
    """Print section right, confidently wrong and review, per condition and per language."""
    print(f"\n{label}")
    print("| condition | language | accounts | section right | confidently wrong | flagged for review |")
    print("| --- | --- | --- | --- | --- | --- |")
    for condition in CONDITIONS:
        for language in ("en", "fr", "all"):
            mine = [r for r in rows if r.condition == condition and language in (r.language, "all")]
            scored = [r for r in mine if r.section_scored]
            right = sum(r.right for r in scored)
            wrong = sum((not r.right) and not r.needs_review for r in scored)
            review = sum(r.needs_review for r in mine)
            print(
                f"| {condition} | {language} | {len(mine)} | {pct(right, len(scored))} | {pct(wrong, len(scored))}"
                f" | {pct(review, len(mine))} |"
            )


def held_out_reliability(rows: list[Scored]) -> list[str]:
    """Return the reliability table's lines: per band, share right with each source file's confidence held out."""
    by_group: dict[str, list[Scored]] = defaultdict(list)
    for row in rows:
        by_group[row.group].append(row)
    total = counts(rows)
    bands: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for members in by_group.values():
        own = counts(members)
        others = {key: (r - own.get(key, (0, 0))[0], s - own.get(key, (0, 0))[1]) for key, (r, s) in total.items()}
        for row in members:
            value = confidence(row.basis, others)
            band = next(i for i, (low, high) in enumerate(BANDS) if low <= value < high)
            bands[(row.source, band)][0] += row.right
            bands[(row.source, band)][1] += 1
    lines = [
        "| confidence | real-world charts: suggestions | share right | sandbox: suggestions | share right |",
        "| --- | --- | --- | --- | --- |",
    ]
    for i, (low, high) in enumerate(BANDS):
        cells = []
        for source in ("real", "sandbox"):
            right, seen = bands.get((source, i), [0, 0])
            cells += [str(seen), pct(right, seen).strip()]
        label = f"{low:.2f} to {min(high, 1.0):.2f}"
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def write_calibration(rows: list[Scored]) -> None:
    """Rewrite broker/mapping/calibration.json from these measurements."""
    data = {key: [right, seen] for key, (right, seen) in counts(rows).items()}
    text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    (ROOT / "broker" / "mapping" / "calibration.json").write_text(text, encoding="utf-8")
    print("\nwrote broker/mapping/calibration.json")


def write_docs(lines: list[str]) -> None:
    """Replace the reliability table between its markers in docs/map-reconcile.md."""
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(DOC_START) + len(DOC_START), text.index(DOC_END)
    DOC.write_text(text[:start] + "\n" + "\n".join(lines) + "\n" + text[end:], encoding="utf-8")
    print("wrote the reliability table in docs/map-reconcile.md")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--charts", type=Path, default=SHARED, help="the real-world charts folder")
    parser.add_argument("--companies", type=int, default=2, help="sandbox companies per app")
    parser.add_argument("--write-calibration", action="store_true")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args(argv)
    if not (args.charts / "score_mapping.py").is_file():
        print(f"no real-world charts at {args.charts}: nothing to measure")
        return 0
    real = real_world(args.charts)
    box = sandbox(args.companies)
    table(real, f"Real-world charts ({args.charts.name}), review below {TRUSTED}")
    table(box, "Sandbox companies")
    reliability = held_out_reliability(real + box)
    print("\nReliability (each source file's confidences measured without it)")
    print("\n".join(reliability))
    wrong = Counter(f"[{r.condition}] {r.basis}" for r in real if not r.right and r.section_scored).most_common(10)
    print("\nLargest remaining error kinds (condition, basis: count)")
    for kind, n in wrong:
        print(f"  {kind}: {n}")
    if args.write_calibration:
        write_calibration(real + box)
    if args.write_docs:
        write_docs(reliability)
    return 0


if __name__ == "__main__":
    sys.exit(main())
