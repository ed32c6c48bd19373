"""Account types as accounting apps publish them, mapped to the standard chart's sections and leaves.

Sources: QuickBooks Online ``AccountType``/``AccountSubType``, Xero account types, Sage Business Cloud ledger
account types, FreshBooks and MYOB types, Odoo ``account_type`` and ERPNext ``account_type`` values. Keys are
squashed to lowercase letters ("Accounts Receivable", "AccountsReceivable" and "asset_receivable" compare alike).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from broker.mapping.words import fold


@dataclass(frozen=True)
class AppMeaning:
    """What an app's type says: the section (None: the type leaves it open) and the leaf it settles, if any."""

    side: str
    section: str | None
    leaf: str | None = None
    firm: bool = False


def squash(text: object) -> str:
    """Return only the letters of a text, lowercased and without accents: ``"Accounts Receivable"``."""
    return re.sub(r"[^a-z]", "", fold(text))


# The upstream's own classification (docs/data-model.md): authoritative for the section.
CLASSIFICATIONS: dict[str, AppMeaning] = {
    "current_asset": AppMeaning("asset", "current_assets"),
    "fixed_asset": AppMeaning("asset", "non_current_assets", "fixed_assets", True),
    "other_asset": AppMeaning("asset", "non_current_assets", "other_assets"),
    "current_liability": AppMeaning("liability", "current_liabilities"),
    "long_term_liability": AppMeaning("liability", "non_current_liabilities", "long_term_debt"),
    "equity": AppMeaning("equity", "equity"),
    "revenue": AppMeaning("income", "income", "revenue", True),
    "other_income": AppMeaning("income", "income", "other_income", True),
    "cost_of_sales": AppMeaning("expense", "direct_costs", "cost_of_sales", True),
    "operating_expense": AppMeaning("expense", "operating_expenses"),
    "other_expense": AppMeaning("expense", "non_operating"),
}
TYPES = {"asset": "asset", "liability": "liability", "equity": "equity", "revenue": "income", "income": "income"}
TYPES["expense"] = "expense"

# One line a meaning: side, section ("-": left open), leaf ("-": none), "firm" when no name may change the leaf,
# then the app types that mean it. A type may appear once per side.
_VOCABULARY = """
asset current_assets cash firm: bank, cash, cashonhand, checking, savings, moneymarket, undepositedfunds,
  trustaccounts, rentsheldintrust, assetcash, cashandbank, cashequivalents, bankaccount, banks
asset current_assets receivables firm: accountsreceivable, receivable, assetreceivable, acctrec, tradedebtors,
  debtors, allowancefordoubtfulaccounts, allowanceforbaddebts, unbilledreceivable, customers
asset current_assets inventory firm: inventory, inventoryasset, stock, stockinhand, workinprogress
asset current_assets other_current_assets: othercurrentasset, othercurrentassets, assetcurrent, current, currentasset,
  currentassets, prepayment, prepayments, prepaidexpenses, assetprepayments, employeecashadvances, loanstoofficers,
  loanstoothers, loanstostockholders, othcurrasset, retainage, deferredexpense, taxasset
asset non_current_assets fixed_assets firm: fixedasset, fixedassets, assetfixed, fixed, machineryandequipment,
  vehicles, furnitureandfixtures, buildings, land, leaseholdimprovements, accumulateddepreciation,
  accumulatedamortization, accumulateddepletion, depletableassets, fixedassetcomputers, fixedassetcopiers,
  fixedassetfurniture, fixedassetphone, fixedassetphotovideo, fixedassetsoftware, fixedassetothertoolsequipment,
  otherfixedassets, capitalworkinprogress, propertyplantandequipment, tangibleassets
asset non_current_assets other_assets: otherasset, otherassets, assetnoncurrent, noncurrent, noncurrentasset,
  noncurrentassets, othlongtermasset, otherlongtermassets, securitydeposits, goodwill, intangibleassets, licenses,
  organizationalcosts, accumulatedamortizationofotherassets, leasebuyout, futureassets, futureasset, investment,
  investments, investmentother, investmentmortgagerealestateloans, investmenttaxexemptsecurities,
  investmentusgovernmentobligations, othasset, deferredtaxasset
liability current_liabilities payables firm: accountspayable, payable, payables, liabilitypayable, acctpay,
  tradecreditors, creditors, suppliers, vendors
liability current_liabilities short_term_debt firm: creditcard, liabilitycreditcard, credcard, lineofcredit,
  bankoverdraft, overdraft
liability current_liabilities taxes_payable firm: salestaxpayable, taxespayable, globaltaxpayable, taxpayable,
  federalincometaxpayable, stateLocalincometaxpayable, statelocalincometaxpayable, incometaxpayable, vatpayable,
  gstpayable, tax, salestax, vat, gst, taxliability, taxliabilities
liability current_liabilities accrued_liabilities: othercurrentliability, othercurrentliabilities, liabilitycurrent,
  currliab, currentliability, currentliabilities, accruedliabilities, payrollliabilities, payrolltaxpayable,
  payrollclearing, directdepositpayable, paygliability, payg, superannuationliability, wagespayable,
  deferredrevenue, unearnedrevenue, othcurrliab, insurancepayable, prepaidexpensespayable, trustaccountsliabilities,
  rentsintrustliability, globaltaxsuspense, currentliabilities
liability current_liabilities short_term_debt: loanpayable, shorttermdebt, shorttermloan
liability non_current_liabilities long_term_debt: longtermliability, longtermliabilities, liabilitynoncurrent,
  termliab, noncurrentliability, noncurrentliabilities, notespayable, shareholdernotespayable,
  otherlongtermliabilities, longtermliab, futureliability, longtermdebt, mortgage, loans
equity equity owner_equity: equity, ownersequity, openingbalanceequity, partnersequity, partnercontributions,
  partnerdistributions, paidincapitalorsurplus, preferredstock, commonstock, treasurystock, sharecapital,
  ownerdrawings, capital, accumulatedadjustment, estimatedtaxes, healthcare, personalincome, personalexpense
equity equity retained_earnings firm: retainedearnings, equityunaffected, currentyearearnings, unaffectedearnings
income income revenue: income, revenue, sales, salesofproductincome, serviceincome, servicefeeincome,
  otherprimaryincome, nonprofitincome, discountsrefundsgiven, unappliedcashpaymentincome, incomeaccount,
  directincome, operatingrevenue, salesrevenue
income income other_income firm: otherincome, incomeother, othincome, indirectincome, dividendincome,
  interestearned, otherinvestmentincome, othermiscellaneousincome, taxexemptinterest, interestincome,
  nonoperatingrevenue
expense direct_costs cost_of_sales firm: costofgoodssold, cogs, costofsales, expensedirectcost, directcosts,
  directexpenses, directexpense, stockadjustment, expensesincludedinvaluation, expensesincludedinassetvaluation,
  suppliesmaterialscogs, costoflaborcos, equipmentrentalcos, otherCostsofServiceCos, othercostsofservicecos,
  shippingfreightdeliverycos, purchases, costofrevenue
expense operating_expenses depreciation firm: depreciation, expensedepreciation, depreciatn, amortization
expense operating_expenses payroll_expense: payrollexpenses, wagesexpense, superannuationexpense, costoflabor
expense operating_expenses rent_occupancy: rentorleaseofbuildings, repairmaintenance, equipmentrental
expense operating_expenses marketing: advertisingpromotional, promotionalmeals
expense operating_expenses general_admin: overheads, operatingexpense, operatingexpenses,
  officegeneraladministrativeexpenses, utilities,
  officeexpenses, legalprofessionalfees, insurance, travel, travelmeals, entertainment, entertainmentmeals,
  duessubscriptions, auto, bankcharges, commissionsandfees, suppliesmaterials, shippingfreightdelivery,
  otherbusinessexpenses, othermiscellaneousservicecost, charitablecontributions, taxespaid, baddebts,
  indirectexpense, indirectexpenses, unappliedcashbillpaymentexpense
expense non_operating interest_expense firm: interestpaid, interestexpense, financecosts
expense non_operating income_taxes firm: incometaxexpense, globaltaxexpense, incometaxes, corporationtax
expense non_operating other_expenses: otherexpense, othexpense, othermiscellaneousexpense, exchangegainorloss,
  penaltiessettlements, expenseother, nonoperatingexpense, otherexpenses
expense - -: expense, expenses, expenseaccount, cost, costs
asset - -: asset, assets, chargeable, roundoff, temporary
liability - -: liability, liabilities, stockreceivedbutnotbilled, assetreceivedbutnotbilled,
  servicereceivedbutnotbilled, temporary, roundoff
income - -: roundoff
expense - -: roundoff, chargeable
asset current_assets other_current_assets: tax, vat, gst, salestax
expense operating_expenses general_admin: tax, salestax, vat, gst
"""


def _parse(text: str) -> dict[tuple[str, str], AppMeaning]:
    table: dict[tuple[str, str], AppMeaning] = {}
    lines: list[str] = []
    for line in text.strip().splitlines():
        if line.startswith("  "):
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    for line in lines:
        head, _, names = line.partition(":")
        side, section, leaf, *flags = head.split()
        meaning = AppMeaning(side, None if section == "-" else section, None if leaf == "-" else leaf, "firm" in flags)
        for name in names.split(","):
            table.setdefault((side, squash(name)), meaning)
    return table


_TABLE = _parse(_VOCABULARY)
_SIDES_OF_NAME: dict[str, list[str]] = {}
for _side, _name in _TABLE:
    _SIDES_OF_NAME.setdefault(_name, []).append(_side)


def subtype_meaning(subtype: object, side: str | None) -> AppMeaning | None:
    """Return what an app's own type means on ``side`` (or on its only side when ``side`` is None)."""
    key = squash(subtype)
    if not key:
        return None
    if side is not None:
        return _TABLE.get((side, key))
    sides = _SIDES_OF_NAME.get(key, [])
    return _TABLE[(sides[0], key)] if len(sides) == 1 else None


def knows(subtype: object) -> bool:
    """Whether the vocabulary knows this app type on some side."""
    return squash(subtype) in _SIDES_OF_NAME
