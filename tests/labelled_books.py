"""Labelled small-business books for bank-to-ledger matching: common-model objects and the accountant's truth.

Our own generator, separate from the sandbox's fixtures (which the product demo shows) so that the matcher is not
measured on the data it is shown with. One call builds a year of one company's books and bank feed from a seed and
a *profile* (``clean``, ``typical``, ``ambiguous``); every bank and ledger line belongs to exactly one labelled
*case* (a kind such as ``cheque`` or ``deposit_multi``) that says which lines an accountant would match together, or
that the line stays unmatched. ``tests/test_reconcile_cases.py`` checks each kind and ``bench/bench_matching.py``
prints precision, recall and false matches per kind.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

BANK_LEDGER = "acc-bank"
START, END = date(2025, 1, 1), date(2025, 12, 31)
FIRST = ("Nina", "Tom", "Ana", "Luc", "Maya", "Omar", "Ines", "Paul", "Sara", "Hugo", "Lea", "Ravi", "Chloe", "Yuki",
         "Marc", "Zoe", "Ivan", "Emma", "Noah", "Jade", "Theo", "Rosa", "Kofi", "Alba")  # fmt: skip
LAST = ("Lee", "Tremblay", "Gagnon", "Roy", "Singh", "Nguyen", "Cote", "Martin", "Bouchard", "Patel", "Khan",
        "Lavoie", "Fortin", "Morin", "Chen", "Dubois", "Wong", "Girard", "Ali", "Pelletier", "Leblanc",
        "Silva")  # fmt: skip
VENDORS = ("Staples", "Bell Canada", "Hydro Quebec", "Acme Supplies", "Uline", "Rogers", "Videotron", "Costco",
           "Grainger", "Bureau en Gros", "Purolator", "Canada Post", "Sysco", "Home Depot", "Shopify", "Adobe",
           "Intuit", "Microsoft", "Esso", "Petro Canada")  # fmt: skip


@dataclass(frozen=True)
class Case:
    """Lines an accountant would match together (``matched``), or lines that stay apart (``matched=False``).

    ``alternatives`` lists other ledger-id sets that are as right (a bill booked twice: either copy).
    """

    kind: str
    bank_ids: frozenset[str]
    ledger_ids: frozenset[str]
    matched: bool = True
    near: bool = False
    alternatives: tuple[frozenset[str], ...] = ()


@dataclass
class LabelledBooks:
    """One company's common-model objects and the labelled cases that cover every one of its lines."""

    profile: str
    seed: int
    accounts: list[dict[str, Any]] = field(default_factory=list)
    journal_entries: list[dict[str, Any]] = field(default_factory=list)
    bank_accounts: list[dict[str, Any]] = field(default_factory=list)
    bank_transactions: list[dict[str, Any]] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)

    def args(self) -> tuple[list[dict[str, Any]], ...]:
        """The four collections in the order ``reconcile_books`` takes them."""
        return self.accounts, self.journal_entries, self.bank_accounts, self.bank_transactions


class _Builder:
    def __init__(self, profile: str, seed: int) -> None:
        self.rng = random.Random(f"{profile}:{seed}")
        self.books = LabelledBooks(profile, seed)
        self.books.accounts = [
            {"id": BANK_LEDGER, "name": "Chequing", "type": "asset", "classification": "bank",
             "bank_account_number_last4": "4321", "currency": "CAD"},
            {"id": "acc-other", "name": "Revenue and expenses", "type": "income", "currency": "CAD"},
        ]  # fmt: skip
        self.books.bank_accounts = [{"id": "ba-1", "name": "Chequing", "account_number_last4": "4321",
                                     "currency": "CAD"}]  # fmt: skip
        self.cheque_no = 3000 + self.rng.randrange(900)
        self.invoice = 1000 + self.rng.randrange(8000)
        self.doc = 0

    # -- raw lines ---------------------------------------------------------------------------------------------
    def bank(self, day: date, amount: int, description: str, counterparty: str = "", reference: str = "") -> str:
        txns = self.books.bank_transactions
        txn_id = f"btx-{len(txns):05d}"
        txns.append({"id": txn_id, "bank_account_id": "ba-1", "date": day.isoformat(), "amount": amount,
                     "currency": "CAD", "description": description, "counterparty": counterparty or None,
                     "reference": reference or None, "running_balance": None})  # fmt: skip
        return txn_id

    def entry(self, day: date, amount: int, memo: str, source: str = "payment", doc: str | None = None) -> str:
        entries = self.books.journal_entries
        entry_id = f"je-{len(entries):05d}"
        entries.append({"id": entry_id, "date": day.isoformat(), "memo": memo, "source_type": source,
                        "source_document_id": doc, "currency": "CAD",
                        "lines": [{"account_id": BANK_LEDGER, "amount": amount, "description": memo},
                                  {"account_id": "acc-other", "amount": -amount, "description": memo}]})  # fmt: skip
        return entry_id

    def case(self, kind: str, bank: list[str], ledger: list[str], **extra: Any) -> None:
        self.books.cases.append(Case(kind, frozenset(bank), frozenset(ledger), **extra))

    # -- helpers -----------------------------------------------------------------------------------------------
    def day(self, lo: int = 0, hi: int = 0) -> date:
        return START + timedelta(days=self.rng.randrange(lo, 365 - hi))

    def person(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    def cents(self, lo: int, hi: int) -> int:
        value = self.rng.randrange(lo, hi)
        return value - value % 100 if self.rng.random() < 0.3 else value

    def next_invoice(self) -> str:
        self.invoice += 1
        return f"INV-{self.invoice}"

    def next_doc(self, prefix: str) -> str:
        self.doc += 1
        return f"{prefix}-{self.doc:05d}"

    def lag(self, lo: int, hi: int) -> timedelta:
        return timedelta(days=self.rng.randint(lo, hi))

    # -- one-to-one cases --------------------------------------------------------------------------------------
    def customer_payment(self, amount: int | None = None, named: bool = True, kind: str = "customer_payment") -> None:
        who, inv, day = self.person(), self.next_invoice(), self.day(5, 5)
        amount = amount or self.cents(2_000, 400_000)
        style = self.rng.random()
        if not named:
            desc, party = self.rng.choice(["DEPOSIT", "MOBILE DEPOSIT", "POS DEPOSIT"]), ""
        elif style < 0.5:
            desc, party = f"E-TRANSFER FROM {who.upper()}", who
        elif style < 0.8:
            desc, party = f"INTERAC E-TRF {who.upper()} {inv}", ""
        else:
            desc, party = f"DEPOSIT {who.split()[1].upper()}", who
        b = self.bank(day + self.lag(0, 3), amount, desc, party, inv if self.rng.random() < 0.3 else "")
        memo = self.rng.choice([f"Payment from {who} for {inv}", f"{who} - {inv}", f"Receipt {inv} {who}"])
        self.case(kind, [b], [self.entry(day, amount, memo)])

    def bill_payment(self, vendor: str | None = None, amount: int | None = None, day: date | None = None,
                     kind: str = "bill_payment") -> None:  # fmt: skip
        vendor, day = vendor or self.rng.choice(VENDORS), day or self.day(5, 5)
        amount = amount or -self.cents(1_000, 300_000)
        bill = self.next_doc("BL")
        desc = self.rng.choice([f"PAD {vendor.upper()}", f"POS {vendor.upper()} #{self.rng.randrange(10, 999)}",
                                f"BILL PAYMENT {vendor.upper()}", f"VISA {vendor.upper()}"])  # fmt: skip
        b = self.bank(day + self.lag(0, 3), amount, desc, vendor if self.rng.random() < 0.5 else "")
        self.case(kind, [b], [self.entry(day, amount, f"Bill {bill} {vendor}", "payment", bill)])

    def cheque(self, payee: str | None = None, amount: int | None = None, day: date | None = None,
               kind: str = "cheque") -> None:  # fmt: skip
        payee, day = payee or self.rng.choice([*VENDORS, self.person()]), day or self.day(5, 50)
        self.cheque_no += 1
        amount = amount or -self.cents(5_000, 500_000)
        desc = self.rng.choice([f"CHEQUE {self.cheque_no}", f"CHQ#{self.cheque_no}", f"CHEQUE NO. {self.cheque_no}"])
        b = self.bank(day + self.lag(3, 42), amount, desc)
        self.case(kind, [b], [self.entry(day, amount, f"Cheque {self.cheque_no} to {payee}", "payment")])

    def transfer(self) -> None:
        day, amount = self.day(5, 5), self.rng.choice([-1, 1]) * self.cents(10_000, 2_000_000)
        direction = "TO" if amount < 0 else "FROM"
        b = self.bank(day + self.lag(0, 2), amount, f"TRANSFER {direction} SAVINGS 8812")
        memo = f"Transfer {'to' if amount < 0 else 'from'} savings account"
        self.case("transfer", [b], [self.entry(day, amount, memo, "manual")])

    def refund(self) -> None:
        vendor, day, amount = self.rng.choice(VENDORS), self.day(5, 5), self.cents(500, 40_000)
        b = self.bank(day + self.lag(0, 4), amount, f"REFUND {vendor.upper()}")
        self.case("refund", [b], [self.entry(day, amount, f"Credit note from {vendor}", "credit_note")])

    def monthly(self, kind: str, vendor: str, amount: int, bank_text: str, memo: str, lag: tuple[int, int]) -> None:
        for month in range(1, 13):
            day = date(2025, month, self.rng.randint(1, 5) if kind == "rent" else self.rng.randint(10, 20))
            b = self.bank(day + self.lag(*lag), amount, bank_text, vendor if kind != "bank_fee" else "")
            self.case(kind, [b], [self.entry(day, amount, memo, "manual" if kind == "bank_fee" else "payment")])

    def fees_and_subscription(self) -> None:
        """A monthly bank fee and a subscription of the same amount: only the text tells them apart."""
        amount = -self.rng.choice([1_500, 1_995, 2_500])
        self.monthly("bank_fee", "", amount, "SERVICE CHARGE", "Bank service fees", (0, 0))
        vendor = self.rng.choice(["Adobe", "Microsoft", "Intuit", "Shopify"])
        self.monthly("subscription", vendor, amount, f"PAD {vendor.upper()}", f"{vendor} subscription", (0, 2))

    def rent_by_cheque(self) -> None:
        """Twelve rent cheques of one amount: their numbers tell them apart, not the date (they clear late)."""
        amount, landlord = -self.cents(150_000, 400_000), f"{self.rng.choice(LAST)} Properties"
        for month in range(1, 13):
            self.cheque(landlord, amount, date(2025, month, 1), kind="rent_cheque")

    # -- groups ------------------------------------------------------------------------------------------------
    def deposit_multi(self, family: bool = False) -> None:
        """One bank deposit of 2 to 8 payments of one customer (or family), each booked on its own."""
        last = self.rng.choice(LAST)
        who = [f"{self.rng.choice(FIRST)} {last}" for _ in range(self.rng.randint(2, 8 if not family else 4))]
        if not family:
            who = [who[0]] * len(who)
        day = self.day(10, 10)
        price = self.rng.choice([8_500, 12_000, 4_500]) if family else 0
        ledger, total = [], 0
        for name in who:
            amount = price or self.cents(5_000, 250_000)
            total += amount
            inv = self.next_invoice()
            memo = f"Membership {name} {inv}" if family else f"Payment from {name} for {inv}"
            ledger.append(self.entry(day - self.lag(0, 3), amount, memo))
        desc = self.rng.choice(
            [f"E-TRANSFER FROM {who[0].upper()}", f"DEPOSIT {last.upper()}", f"CHEQUE DEPOSIT {last.upper()}"]
        )
        b = self.bank(day, total, desc, who[0] if self.rng.random() < 0.5 else "")
        self.case("family_deposit" if family else "deposit_multi", [b], ledger)

    def deposit_batch(self) -> None:
        """Cheques of 2 to 4 customers deposited together: the bank's "DEPOSIT" names none of them."""
        day = self.day(10, 10)
        ledger, total = [], 0
        for _ in range(self.rng.randint(2, 4)):
            amount = self.cents(5_000, 250_000)
            total += amount
            memo = f"Payment from {self.person()} for {self.next_invoice()}"
            ledger.append(self.entry(day - self.lag(0, 3), amount, memo))
        b = self.bank(day, total, self.rng.choice(["DEPOSIT", "BRANCH DEPOSIT", "ATM DEPOSIT"]))
        self.case("deposit_batch", [b], ledger)

    def payout(self, with_document: bool) -> None:
        """A card processor's payout: several days of sales less a fee, one bank credit."""
        day, doc = self.day(10, 10), self.next_doc("PO")
        ledger, net = [], 0
        for n in range(self.rng.randint(1, 5)):
            gross = self.cents(5_000, 300_000)
            net += gross
            memo = f"Stripe sales {(day - timedelta(days=n + 2)).isoformat()}"
            ledger.append(
                self.entry(day - timedelta(days=n + 2), gross, memo, "payout", doc if with_document else None)
            )
        fee = -max(30, round(net * 0.029))
        net += fee
        ledger.append(self.entry(day, fee, "Stripe fees", "payout", doc if with_document else None))
        b = self.bank(day, net, f"STRIPE PAYOUT {doc}" if self.rng.random() < 0.5 else "STRIPE TRANSFER", "Stripe")
        self.case("payout_fee", [b], ledger)

    def payroll_run(self) -> None:
        day = self.day(5, 5)
        ledger, total = [], 0
        for _ in range(self.rng.randint(3, 9)):
            net = -self.cents(80_000, 300_000)
            total += net
            ledger.append(self.entry(day, net, f"Net pay {self.person()}", "payroll"))
        b = self.bank(day + self.lag(0, 1), total, "PAYROLL RUN PAYDAY INC")
        self.case("payroll_run", [b], ledger)

    def salaries_one_by_one(self, staff: int = 14, months: int = 12) -> None:
        """Equal salaries paid by e-transfer one by one: only the names tell them apart."""
        names = [f"{FIRST[n % len(FIRST)]} {self.rng.choice(LAST)}" for n in range(staff)]
        amount = -self.cents(200_000, 400_000)
        for month in range(1, months + 1):
            day = date(2025, month, 15)
            for name in names:
                b = self.bank(day + self.lag(0, 1), amount, f"E-TRANSFER TO {name.upper()}", name)
                e = self.entry(day, amount, f"Salary {name}", "manual")
                self.case("salary", [b], [e])

    def instalments(self) -> None:
        """An invoice paid in equal instalments weeks apart, each booked when received."""
        who, inv = self.person(), self.next_invoice()
        parts, amount, day = self.rng.randint(2, 4), self.cents(20_000, 200_000), self.day(10, 120)
        for n in range(parts):
            when = day + timedelta(days=28 * n + self.rng.randint(-3, 3))
            b = self.bank(when + self.lag(0, 2), amount, f"E-TRANSFER FROM {who.upper()}", who)
            e = self.entry(when, amount, f"Instalment {n + 1}/{parts} {inv} {who}")
            self.case("instalment", [b], [e])

    def split_transfer(self) -> None:
        """One ledger payment received as two or three bank transfers the same week (a transfer limit)."""
        who, inv, day = self.person(), self.next_invoice(), self.day(10, 10)
        pieces = [self.cents(10_000, 300_000) for _ in range(self.rng.randint(2, 3))]
        banks = [self.bank(day + timedelta(days=n), piece, f"E-TRANSFER FROM {who.upper()}", who)
                 for n, piece in enumerate(pieces)]  # fmt: skip
        self.case("many_to_one", banks, [self.entry(day, sum(pieces), f"Payment from {who} for {inv}")])

    # -- near matches ------------------------------------------------------------------------------------------
    def near(self, kind: str) -> None:
        vendor, day = self.rng.choice(VENDORS), self.day(10, 10)
        booked = -self.cents(5_000, 300_000)
        if kind == "fx":
            paid = round(booked * (1 + self.rng.choice([-1, 1]) * self.rng.uniform(0.002, 0.015)))
            desc, memo = f"WIRE {vendor.upper()} USD", f"Bill {self.next_doc('BL')} {vendor} (USD)"
        elif kind == "rounding":
            paid = booked + self.rng.choice([-3, -2, -1, 1, 2, 3])
            desc, memo = f"PAD {vendor.upper()}", f"Bill {self.next_doc('BL')} {vendor}"
        elif kind == "sign_flip":
            paid = -booked
            desc, memo = f"REFUND {vendor.upper()}", f"Refund from {vendor}"
        else:  # unbooked_fee: a customer's wire arrives less the bank's fee, which nobody booked
            who = self.person()
            booked = -booked
            paid = booked - self.rng.choice([1_000, 1_500, 2_500])
            desc, memo = f"WIRE IN {who.upper()}", f"Payment from {who} for {self.next_invoice()}"
        b = self.bank(day + self.lag(0, 2), paid, desc)
        self.case(kind, [b], [self.entry(day, booked, memo)], near=True)

    # -- lines that stay apart ---------------------------------------------------------------------------------
    def outside_period(self) -> None:
        """A cheque written before the books start clears in January next to a same-amount entry of the new year."""
        amount = -self.cents(20_000, 200_000)
        before = START - timedelta(days=self.rng.randint(3, 20))
        b = self.bank(before, amount, f"CHEQUE {self.cheque_no - self.rng.randint(50, 300)}")
        self.case("outside_period", [b], [], matched=False)
        self.bill_payment(amount=amount, day=START + timedelta(days=self.rng.randint(0, 10)))
        after = END + timedelta(days=self.rng.randint(1, 12))
        self.case("outside_period", [self.bank(after, self.cents(1_000, 90_000), "DEPOSIT")], [], matched=False)

    def duplicate(self) -> None:
        """A bill entered twice: the bank paid it once; either copy is right, the other is a duplicate."""
        vendor, day, amount, bill = (
            self.rng.choice(VENDORS),
            self.day(5, 5),
            -self.cents(2_000, 90_000),
            self.next_doc("BL"),
        )
        b = self.bank(day + self.lag(0, 2), amount, f"PAD {vendor.upper()}")
        first = self.entry(day, amount, f"Bill {bill} {vendor}", "payment", bill)
        second = self.entry(day + self.lag(0, 3), amount, f"Bill {bill} {vendor}", "payment", bill)
        self.case("duplicate", [b], [first], alternatives=(frozenset([second]),))
        self.case("duplicate_left", [], [second], matched=False, alternatives=(frozenset([first]),))

    def void_reissue(self) -> None:
        """Cheque N voided and reissued as N+1 for the same amount: only N+1 clears."""
        payee, day, amount = self.rng.choice(VENDORS), self.day(5, 60), -self.cents(10_000, 300_000)
        self.cheque_no += 1
        voided = self.entry(day, amount, f"Cheque {self.cheque_no} to {payee}", "payment")
        void = self.entry(day + timedelta(days=2), -amount, f"Void cheque {self.cheque_no}", "manual")
        self.case("void_left", [], [voided, void], matched=False)
        self.cheque(payee, amount, day + timedelta(days=2), kind="void_reissue")

    def noise(self) -> None:
        """A bank fee nobody booked, an outstanding cheque, a cash sale never deposited."""
        roll = self.rng.random()
        if roll < 0.4:
            self.case("unbooked", [self.bank(self.day(0, 0), -self.cents(100, 5_000), "NSF FEE")], [], matched=False)
        elif roll < 0.7:
            self.cheque_no += 1
            e = self.entry(self.day(0, 0), -self.cents(5_000, 90_000), f"Cheque {self.cheque_no} to {self.person()}")
            self.case("outstanding", [], [e], matched=False)
        else:
            e = self.entry(self.day(0, 0), self.cents(1_000, 50_000), "Cash sale", "invoice")
            self.case("outstanding", [], [e], matched=False)

    def membership(self, named: float) -> None:
        """A month of memberships at a few price points: names in the bank feed for most, not all."""
        price = self.rng.choice([4_500, 8_500, 8_500, 12_000])
        self.customer_payment(price, named=self.rng.random() < named, kind="membership")


def _run(builder: _Builder, plan: list[tuple[float, Callable[[], None]]], count: int) -> None:
    total = sum(weight for weight, _ in plan)
    for _ in range(count):
        roll = builder.rng.random() * total
        for weight, make in plan:
            roll -= weight
            if roll <= 0:
                make()
                break


def generate(profile: str, seed: int = 1, size: int = 600) -> LabelledBooks:
    """Build one company's labelled books: ``clean``, ``typical`` or ``ambiguous``, about ``size`` bank lines."""
    b = _Builder(profile, seed)
    if profile == "clean":
        plan = [(5, b.customer_payment), (4, b.bill_payment), (1, b.transfer), (1, b.refund)]
        _run(b, plan, size)
    elif profile == "typical":
        b.fees_and_subscription()
        b.rent_by_cheque()
        for _ in range(3):
            b.outside_period()
        plan: list[tuple[float, Callable[[], None]]] = [
            (30, b.customer_payment), (22, b.bill_payment), (8, b.cheque), (3, b.transfer), (2, b.refund),
            (6, lambda: b.deposit_multi()), (3, b.deposit_batch), (4, lambda: b.payout(True)),
            (4, lambda: b.payout(False)), (2, b.payroll_run), (3, b.instalments), (1.5, b.split_transfer),
            (1, lambda: b.near("fx")),
            (1, lambda: b.near("rounding")), (0.7, lambda: b.near("sign_flip")), (0.7, lambda: b.near("unbooked_fee")),
            (1, b.duplicate), (1, b.void_reissue), (4, b.noise),
        ]  # fmt: skip
        _run(b, plan, size // 2)
    elif profile == "ambiguous":
        b.salaries_one_by_one()
        b.fees_and_subscription()
        for _ in range(2):
            b.outside_period()
        plan = [
            (40, lambda: b.membership(0.85)), (10, lambda: b.deposit_multi(family=True)), (6, b.bill_payment),
            (3, b.cheque), (3, b.instalments), (2, b.duplicate), (2, b.noise), (2, lambda: b.payout(False)),
        ]  # fmt: skip
        _run(b, plan, max(0, size - 170))
    else:
        raise ValueError(f"unknown profile {profile!r}")
    return b.books


@dataclass
class Tally:
    """Counts of one kind of case: matches suggested (right or not) and matchable cases found."""

    suggested: int = 0
    right: int = 0
    cases: int = 0
    found: int = 0

    @property
    def precision(self) -> float | None:
        return self.right / self.suggested if self.suggested else None

    @property
    def recall(self) -> float | None:
        return self.found / self.cases if self.cases else None

    @property
    def false_rate(self) -> float | None:
        return (self.suggested - self.right) / self.suggested if self.suggested else None


def score(books: LabelledBooks, matches: list[tuple[list[str], list[str]]]) -> dict[str, Tally]:
    """Tally suggested matches (bank ids, ledger ids) against the truth, per kind of case and ``overall``.

    A suggestion is right when its lines are exactly a case's (or an equally right alternative); it counts under
    the kind of the case its first line belongs to, so a wrong match of a cheque counts against ``cheque``.
    """
    owner: dict[str, Case] = {}
    for case in books.cases:
        for line in (*case.bank_ids, *case.ledger_ids):
            owner[line] = case
    tallies: dict[str, Tally] = {}
    for case in books.cases:
        if case.matched:
            tallies.setdefault(case.kind, Tally()).cases += 1
    for bank_ids, ledger_ids in matches:
        first = owner.get(sorted(bank_ids)[0] if bank_ids else sorted(ledger_ids)[0])
        kind = first.kind if first else "unknown"
        tally = tallies.setdefault(kind, Tally())
        tally.suggested += 1
        right = (
            first is not None
            and first.matched
            and first.bank_ids == frozenset(bank_ids)
            and frozenset(ledger_ids) in (first.ledger_ids, *first.alternatives)
        )
        if right:
            tally.right += 1
            tally.found += 1
    overall = Tally()
    for tally in tallies.values():
        overall.suggested += tally.suggested
        overall.right += tally.right
        overall.cases += tally.cases
        overall.found += tally.found
    tallies["overall"] = overall
    return tallies
