"""The signals auto-suggestion reads: English and French name keywords, app subtypes, classifications."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# Account groups, from the most precise (classification) to the coarsest (side of the ledger).
COARSE_OF_CLASSIFICATION = {
    "current_asset": "asset",
    "fixed_asset": "asset",
    "other_asset": "asset",
    "current_liability": "liability",
    "long_term_liability": "liability",
    "equity": "equity",
    "revenue": "income",
    "other_income": "income",
    "cost_of_sales": "expense",
    "operating_expense": "expense",
    "other_expense": "expense",
}
COARSE_OF_TYPE = {"asset": "asset", "liability": "liability", "equity": "equity", "revenue": "income"}
COARSE_OF_TYPE["expense"] = "expense"
# Chart sides each coarse group may be mapped to.
SIDE_OF_COARSE = {"asset": "asset", "liability": "liability", "equity": "equity", "income": "income"}
SIDE_OF_COARSE["expense"] = "expense"
# Conventional account numbering: (first digit, coarse group, classification it suggests, label).
CODE_RANGES = {
    "1": ("asset", None, "assets"),
    "2": ("liability", None, "liabilities"),
    "3": ("equity", None, "equity"),
    "4": ("income", "revenue", "revenue"),
    "5": ("expense", "cost_of_sales", "cost of sales"),
    "6": ("expense", "operating_expense", "expenses"),
    "7": ("expense", "operating_expense", "expenses"),
    "8": ("expense", "other_expense", "other expenses"),
    "9": ("expense", "other_expense", "other expenses"),
}

# What a classification alone suggests, and how sure that is.
BY_CLASSIFICATION: dict[str, tuple[str, float]] = {
    "current_asset": ("other_current_assets", 0.5),
    "fixed_asset": ("fixed_assets", 0.75),
    "other_asset": ("other_assets", 0.7),
    "current_liability": ("accrued_liabilities", 0.45),
    "long_term_liability": ("long_term_debt", 0.65),
    "equity": ("owner_equity", 0.5),
    "revenue": ("revenue", 0.8),
    "other_income": ("other_income", 0.8),
    "cost_of_sales": ("cost_of_sales", 0.85),
    "operating_expense": ("general_admin", 0.5),
    "other_expense": ("other_expenses", 0.6),
}
BY_COARSE: dict[str, tuple[str, float]] = {
    "asset": ("other_current_assets", 0.4),
    "liability": ("accrued_liabilities", 0.35),
    "equity": ("owner_equity", 0.45),
    "income": ("revenue", 0.6),
    "expense": ("general_admin", 0.4),
}

# Subtypes as apps name them, squashed to lowercase letters only.
BY_SUBTYPE: dict[str, str] = {
    "bank": "cash",
    "cash": "cash",
    "cashonhand": "cash",
    "checking": "cash",
    "savings": "cash",
    "undepositedfunds": "cash",
    "accountsreceivable": "receivables",
    "receivable": "receivables",
    "inventory": "inventory",
    "inventoryasset": "inventory",
    "othercurrentasset": "other_current_assets",
    "othercurrentassets": "other_current_assets",
    "prepaidexpenses": "other_current_assets",
    "fixedasset": "fixed_assets",
    "fixedassets": "fixed_assets",
    "machineryandequipment": "fixed_assets",
    "vehicles": "fixed_assets",
    "furnitureandfixtures": "fixed_assets",
    "buildings": "fixed_assets",
    "accumulateddepreciation": "fixed_assets",
    "allowanceforbaddebts": "receivables",
    "securitydeposits": "other_assets",
    "repairmaintenance": "rent_occupancy",
    "otherasset": "other_assets",
    "otherassets": "other_assets",
    "accountspayable": "payables",
    "payable": "payables",
    "creditcard": "short_term_debt",
    "othercurrentliability": "accrued_liabilities",
    "othercurrentliabilities": "accrued_liabilities",
    "accruedliabilities": "accrued_liabilities",
    "payrollliabilities": "accrued_liabilities",
    "salestaxpayable": "taxes_payable",
    "taxespayable": "taxes_payable",
    "longtermliability": "long_term_debt",
    "longtermliabilities": "long_term_debt",
    "notespayable": "long_term_debt",
    "loanpayable": "long_term_debt",
    "equity": "owner_equity",
    "ownersequity": "owner_equity",
    "openingbalanceequity": "owner_equity",
    "retainedearnings": "retained_earnings",
    "income": "revenue",
    "salesofproductincome": "revenue",
    "serviceincome": "revenue",
    "otherincome": "other_income",
    "costofgoodssold": "cost_of_sales",
    "cogs": "cost_of_sales",
    "payrollexpenses": "payroll_expense",
    "rentorleaseofbuildings": "rent_occupancy",
    "advertisingpromotional": "marketing",
    "interestpaid": "interest_expense",
    "depreciation": "depreciation",
    "incometaxexpense": "income_taxes",
    "otherexpense": "other_expenses",
    "othermiscellaneousexpense": "other_expenses",
}


@dataclass(frozen=True)
class KeywordRule:
    """Name phrases (normalized) and the leaf they point to per account group; the first fitting rule wins."""

    phrases: tuple[str, ...]
    targets: tuple[tuple[str, str], ...]

    def target(self, fine: str | None, coarse: str | None) -> str | None:
        """Return the leaf for an account of this group, or None when the rule does not apply to it."""
        by_group = dict(self.targets)
        if fine is None and coarse is None:
            leaf: str | None = self.targets[0][1]
        else:
            leaf = by_group.get(fine or "") or by_group.get(coarse or "")
        return None if leaf == "-" else leaf


# One rule a block: normalized phrases separated by commas, then "group=leaf" targets. A classification's
# target wins over its coarse group's; "-" means the rule does not apply to that classification. Rules go from
# the most specific to the most general: "loan interest" is interest, "taxes payable" is taxes, "cost of
# sales" is not sales.
_RULES = """
accumulated depreciation, accumulated amortization, amortissement cumule, amortissements cumules
    > asset=fixed_assets expense=depreciation
depreciation, amortization, amortisation, amortissement, amortissements, dotation
    > expense=depreciation asset=fixed_assets
interest, interests, interet, interets, frais financiers
    > expense=interest_expense income=other_income liability=accrued_liabilities
bank charges, bank fees, bank service charges, frais bancaires, frais de banque
    > expense=general_admin
gst, hst, pst, qst, tps, tvq, tvh, tva, vat, sales tax, sales taxes, taxe de vente, taxes de vente,
taxes a la consommation
    > liability=taxes_payable asset=other_current_assets expense=general_admin
income tax, income taxes, corporate tax, impot, impots, impot sur le revenu, impots sur le revenu,
impot sur le resultat, impots sur les benefices
    > expense=income_taxes liability=taxes_payable asset=other_current_assets
wages, wage, salaries, salary, payroll, salaires, salaire, paie, remuneration, employee benefits,
avantages sociaux, charges sociales, source deductions, retenues a la source, das, cnesst, vacation pay,
vacances a payer
    > expense=payroll_expense cost_of_sales=- liability=accrued_liabilities
credit card, carte de credit, cartes de credit, visa, mastercard, amex, american express
    > liability=short_term_debt
loan, loans, emprunt, emprunts, pret, prets, mortgage, hypotheque, line of credit, marge de credit,
note payable, notes payable, billet, debt, dette, dettes, bdc, current portion, tranche a court terme,
shareholder loan, shareholder advances, due to shareholder, avances d actionnaire, avance d actionnaire,
avances des actionnaires, avances aux actionnaires
    > current_liability=short_term_debt long_term_liability=long_term_debt liability=long_term_debt
      current_asset=other_current_assets asset=other_assets
accounts payable, payable, payables, comptes fournisseurs, fournisseurs, fournisseur, crediteurs,
trade creditors
    > liability=payables
accrued, accrual, accruals, charges a payer, frais courus, courus, deferred revenue, produits reportes,
customer deposits, depots de clients
    > liability=accrued_liabilities asset=other_current_assets
allowance for doubtful accounts, doubtful accounts, allowance for bad debts, provision pour creances douteuses
    > asset=receivables expense=other_expenses
accounts receivable, receivable, receivables, comptes clients, comptes a recevoir, clients, debiteurs,
a recevoir
    > asset=receivables
bank, banque, chequing, checking, cheques, savings, epargne, cash, encaisse, petty cash, petite caisse,
caisse, undeposited funds, fonds non deposes, desjardins
    > asset=cash expense=general_admin
cogs, cost of goods, cost of goods sold, cost of sales, cost of revenue, cout des ventes,
cout des marchandises, cout des marchandises vendues, achats, purchases, direct labour, direct labor,
main d oeuvre directe, materials, materiaux, subcontractors, sous traitance, freight in, merchant fees,
frais marchands
    > expense=cost_of_sales
inventory, inventories, stock, stocks, inventaire, inventaires, marchandises
    > asset=inventory expense=cost_of_sales
prepaid, prepaids, payes d avance, paye d avance, frais payes d avance, deposits, depots
    > other_asset=other_assets fixed_asset=other_assets asset=other_current_assets
rent, loyer, loyers, lease, bail, occupancy, occupation, utilities, electricity, electricite, hydro,
heating, chauffage, property tax, taxes foncieres, taxes municipales, condo fees, frais de condo, repairs,
repairs and maintenance, maintenance, entretien, entretien et reparations, reparations, janitorial, conciergerie
    > expense=rent_occupancy income=other_income
marketing, advertising, advertisement, publicite, promotion, promotions, ads, google ads, facebook ads,
commandites, sponsorship
    > expense=marketing
equipment, equipement, equipements, vehicle, vehicles, vehicule, vehicules, furniture, mobilier, computer,
computers, ordinateur, ordinateurs, building, buildings, batiment, immeuble, land, terrain,
leasehold improvements, ameliorations locatives, machinery, machinerie, immobilisations, fixed assets
    > asset=fixed_assets expense=general_admin
retained earnings, benefices non repartis, bnr, surplus, deficit
    > equity=retained_earnings
capital, share capital, capital actions, capital social, common shares, actions ordinaires, owner, owners,
proprietaire, drawings, retraits, dividends, dividendes, contributions, apport, apports,
opening balance equity
    > equity=owner_equity
other income, autres revenus, autres produits, gain, gains, produits divers
    > income=other_income expense=other_expenses
sales, sale, revenue, revenues, ventes, vente, chiffre d affaires, revenus, revenu, fees earned,
honoraires, services rendered, prestations
    > revenue=revenue other_income=other_income income=revenue expense=general_admin
office, bureau, insurance, assurance, assurances, professional fees, honoraires professionnels, legal,
accounting, comptabilite, telephone, internet, software, logiciel, logiciels, travel, deplacement,
deplacements, meals, repas, supplies, fournitures, dues, subscriptions, abonnements, licences, licenses,
postage, poste, training, formation, admin, administration, frais generaux
    > expense=general_admin
other expense, other expenses, autres depenses, autres charges, loss, losses, perte, pertes, penalties,
penalites, amendes, bad debts, creances douteuses, exchange, change
    > expense=other_expenses income=other_income
"""


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(group, leaf) for group, _, leaf in (pair.partition("=") for pair in text.split())]


def _parse_rules(text: str) -> tuple[KeywordRule, ...]:
    rules: list[tuple[list[str], list[tuple[str, str]]]] = []
    phrases: list[str] = []
    for line in text.strip().splitlines():
        if line.startswith("    > "):
            rules.append((phrases, _pairs(line[6:])))
            phrases = []
        elif line.startswith("      "):
            rules[-1][1].extend(_pairs(line))
        else:
            phrases.extend(phrase.strip() for phrase in line.split(",") if phrase.strip())
    return tuple(KeywordRule(tuple(words), tuple(targets)) for words, targets in rules)


@functools.cache
def keyword_rules() -> tuple[KeywordRule, ...]:
    """Return the keyword rules, parsed once on first use."""
    return _parse_rules(_RULES)


def normalize(text: object) -> str:
    """Lowercase, drop accents and punctuation, squeeze spaces: ``"Intérêts/Prêt"`` to ``"interets pret"``."""
    if not isinstance(text, str):
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", stripped).split())


def squash(text: object) -> str:
    """Return only the letters of a normalized text: ``"Accounts Receivable"`` is ``"accountsreceivable"``."""
    return re.sub(r"[^a-z]", "", normalize(text))


def find_phrase(name: str, phrases: tuple[str, ...]) -> str | None:
    """Return the phrase found (as whole words) earliest in a normalized name, the longest on a tie."""
    padded = f" {name} "
    found = [(padded.find(f" {phrase} "), -len(phrase), phrase) for phrase in phrases]
    hits = [hit for hit in found if hit[0] >= 0]
    return min(hits)[2] if hits else None
