"""What account-name phrases mean, in English and French: the leaves each points to on each side of the ledger."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from broker.mapping.words import tokens

# Leaves of the default chart and the section each belongs to.
SECTION_OF_LEAF: dict[str, str] = {
    "cash": "current_assets",
    "receivables": "current_assets",
    "inventory": "current_assets",
    "other_current_assets": "current_assets",
    "fixed_assets": "non_current_assets",
    "other_assets": "non_current_assets",
    "payables": "current_liabilities",
    "accrued_liabilities": "current_liabilities",
    "taxes_payable": "current_liabilities",
    "short_term_debt": "current_liabilities",
    "long_term_debt": "non_current_liabilities",
    "owner_equity": "equity",
    "retained_earnings": "equity",
    "revenue": "income",
    "other_income": "income",
    "cost_of_sales": "direct_costs",
    "payroll_expense": "operating_expenses",
    "rent_occupancy": "operating_expenses",
    "marketing": "operating_expenses",
    "general_admin": "operating_expenses",
    "depreciation": "operating_expenses",
    "interest_expense": "non_operating",
    "income_taxes": "non_operating",
    "other_expenses": "non_operating",
}
SIDE_OF_SECTION: dict[str, str] = {
    "current_assets": "asset",
    "non_current_assets": "asset",
    "current_liabilities": "liability",
    "non_current_liabilities": "liability",
    "equity": "equity",
    "income": "income",
    "direct_costs": "expense",
    "operating_expenses": "expense",
    "non_operating": "expense",
}
# The leaf an account of a section gets when nothing names a more precise one.
DEFAULT_LEAF: dict[str, str] = {
    "current_assets": "other_current_assets",
    "non_current_assets": "other_assets",
    "current_liabilities": "accrued_liabilities",
    "non_current_liabilities": "long_term_debt",
    "equity": "owner_equity",
    "income": "revenue",
    "direct_costs": "cost_of_sales",
    "operating_expenses": "general_admin",
    "non_operating": "other_expenses",
}
SIDES = ("asset", "liability", "equity", "income", "expense")

# One rule a block: phrases separated by commas (matched on word stems, so "loan" also finds "Loans" and "prêt"
# finds "Prêts"), then "side=leaf,leaf" targets: on that side the first leaf whose section the account may be in.
# The first target is what the phrase means on its own; "weak" marks a head that only names the side ("payable"),
# "open" one that leaves current or non-current open ("loan"). French false friends have their own entries:
# "dépréciation" is an impairment (it stays with the asset it reduces), "provision" an allowance or a provision.
_LEXICON = """
accumulated depreciation, accumulated amortization, accumulated amortisation, amortissement cumule,
amortissements cumules, depreciation cumulee, less accumulated depreciation, provision for depreciation,
amortissement accumule
    > asset=fixed_assets,other_assets
depreciation, amortization, amortisation, amortissement, dotation aux amortissements, depletion
    > expense=depreciation,other_expenses asset=fixed_assets,other_assets
depreciation des, provision pour depreciation, provisions pour depreciation, perte de valeur, impairment,
write down
    > asset=- expense=general_admin,other_expenses
dotation aux depreciations, dotation aux provisions, dotation
    > expense=general_admin,other_expenses
allowance for doubtful accounts, doubtful accounts, allowance for bad debts, provision for bad debts,
provision pour creances douteuses, creances douteuses
    > asset=receivables expense=general_admin,other_expenses
bad debts, bad debt, mauvaises creances, creances irrecouvrables
    > expense=general_admin,other_expenses asset=receivables
accrued interest, interets courus, interet couru, interets courus a payer, accrued interest payable
    > open liability=accrued_liabilities,long_term_debt asset=other_current_assets,other_assets
      expense=interest_expense,other_expenses
provision pour, provisions pour, provisions pour risques, provisions pour charges, provisions reglementees,
provisions pour risques et charges, provision for warranties, provisions for liabilities
    > open liability=long_term_debt,accrued_liabilities expense=general_admin,other_expenses
personnel, employees account, staff account
    > liability=accrued_liabilities expense=payroll_expense,cost_of_sales asset=other_current_assets
associe, associes, compte courant, comptes courants, groupe, shareholder current account,
director s current account, directors current account
    > open liability=short_term_debt,long_term_debt asset=other_current_assets,other_assets equity=owner_equity
tva deductible, taxes deductibles, tva a recuperer, credit de tva, credit d impot, credits d impot,
input tax, input vat, gst paid, gst receivable, hst receivable, tax refundable, tax recoverable,
impot a recevoir, impots a recevoir, tps a recevoir, tvq a recevoir, taxes a recevoir, vat receivable,
vat recoverable, prepaid taxes, income tax receivable, income taxes receivable
    > asset=other_current_assets expense=general_admin,income_taxes liability=taxes_payable
tva collectee, output tax, output vat, gst collected, hst collected, tva a decaisser, tva due, tps percue,
tvq percue, taxes percues, gst payable, hst payable, vat payable, pst payable, qst payable
    > liability=taxes_payable asset=other_current_assets
fournisseurs debiteurs, fournisseur debiteur, avances aux fournisseurs, supplier advances,
advances to suppliers, deposits with suppliers, acomptes verses
    > asset=other_current_assets,other_assets
produits a recevoir, accrued revenue, accrued income, revenus a recevoir, unbilled revenue, unbilled receivables
    > asset=other_current_assets,receivables
produits en cours, produits finis, produits intermediaires, produits residuels, en cours de production,
biens en cours, services en cours, work in process, goods in process, matieres consommables,
matieres et fournitures, fournitures consommables, emballages
    > asset=inventory expense=cost_of_sales
valeurs mobilieres de placement, marketable securities, short term investments, placements a court terme,
placements temporaires, temporary investments
    > asset=other_current_assets income=other_income
rabais remises et ristournes, rabais remises ristournes, sales returns, sales returns and allowances,
sales discounts, returns and allowances, rabais sur ventes, remises sur ventes
    > income=revenue expense=cost_of_sales
dividends from, dividends received, dividend received, dividendes recus, investment income
    > income=other_income
customers, customer, customer account, comptes de clients
    > asset=receivables,other_current_assets liability=accrued_liabilities
vendors, vendor, suppliers, supplier, supplier account
    > liability=payables,accrued_liabilities asset=other_current_assets
interest receivable, interets a recevoir, accrued interest receivable
    > asset=other_current_assets,other_assets
interest, interet, frais financiers, charges financieres, finance costs, finance charges, agios
    > open expense=interest_expense,other_expenses income=other_income liability=accrued_liabilities,long_term_debt
      asset=other_current_assets,other_assets
bank charges, bank fees, bank service charges, frais bancaires, frais de banque, merchant fees, frais marchands,
services bancaires
    > expense=general_admin,other_expenses,cost_of_sales
deferred tax, deferred taxes, future income tax, future income taxes, impot differe, impots differes,
impot futur, impots futurs, impot reporte, credits d impot reportes
    > liability=long_term_debt,taxes_payable asset=other_assets,other_current_assets expense=income_taxes
income tax, income taxes, corporate tax, corporation tax, impots exigibles, impot exigible, current income tax,
impot sur le revenu, impot sur le resultat,
impot sur les benefices, impots sur les benefices, impot sur les societes, federal income tax,
state income tax, provincial income tax, profit tax, impot de societe
    > expense=income_taxes liability=taxes_payable asset=other_current_assets
gst, hst, pst, qst, tps, tvq, tvh, tva, vat, sales tax, sales taxes, taxe de vente, taxes de vente, taxe sur
la valeur ajoutee, taxes a la consommation, use tax, goods and services tax, excise, duties and taxes,
tax payable, taxes payable, taxe a payer, taxes a payer
    > liability=taxes_payable asset=other_current_assets expense=general_admin,cost_of_sales
impot, impots, taxe, taxes, tax, impots et taxes, property tax, taxes foncieres, taxes municipales
    > expense=general_admin,income_taxes liability=taxes_payable asset=other_current_assets
paye, payg, payg withholding, nic, national insurance, superannuation, super payable, pension, pensions,
retraite, retraites, workers compensation, source deductions, retenues a la source, das, cnesst, csst, rrq,
assurance emploi, employment insurance, cpp, qpp, ei, fica, futa, suta, urssaf, securite sociale,
organismes sociaux, cotisations sociales, charges sociales, mutuelle, mutuelles, prevoyance, caisse de retraite,
caisses de retraite, caisses de retraites, cotisations patronales, employer contributions
    > expense=payroll_expense,cost_of_sales liability=accrued_liabilities,long_term_debt
      asset=other_current_assets
wages, wage, salaries, salary, payroll, salaires, salaire, paie, remuneration, remunerations, employee benefits,
avantages sociaux, vacation pay, vacances a payer, conges payes, staff, personnel, employees, employes, bonus,
commissions to employees, salaries and wages, wages and salaries, staff costs, frais de personnel,
charges de personnel, appointements, gratifications, indemnites
    > expense=payroll_expense,cost_of_sales liability=accrued_liabilities,long_term_debt
      asset=other_current_assets
credit card, credit cards, carte de credit, cartes de credit, visa, mastercard, amex, american express
    > liability=short_term_debt
current portion, tranche a court terme, portion courante, partie courante, bank overdraft, overdraft,
decouvert, decouverts, decouvert bancaire, concours bancaires courants, line of credit, marge de credit,
lines of credit, short term loan, short term debt, pret a court terme, emprunt a court terme, commercial paper,
effets de commerce, billets a payer
    > liability=short_term_debt,long_term_debt asset=other_current_assets
loan, loans, emprunt, emprunts, pret, prets, mortgage, mortgages, hypotheque, hypotheques, note payable,
notes payable, billet, debt, dette, dettes, bdc, debenture, debentures, bonds, bond, obligation, obligations,
borrowing, borrowings, hire purchase, finance lease, lease liability, credit bail, location acquisition,
contrat de location acquisition, liens, dettes financieres, shareholder loan, shareholder loans,
loan from director, directors loan, due to shareholder, due to shareholders, due to related parties,
avance d actionnaire, avances d actionnaires, avances des actionnaires, compte courant d associe,
comptes courants d associes, emprunts et dettes
    > open liability=long_term_debt,short_term_debt asset=other_assets,other_current_assets
      expense=interest_expense,other_expenses income=other_income
loans receivable, loan receivable, notes receivable, note receivable, prets a recevoir, due from shareholder,
due from shareholders, due from related parties, advances to shareholders, avances aux actionnaires,
loans to, pret aux, prets aux, avances aux, avance aux
    > open asset=other_current_assets,other_assets
accounts payable, comptes fournisseurs, fournisseurs, fournisseur, crediteurs, trade creditors, creditors,
creditor, comptes a payer, compte a payer, dettes fournisseurs, trade payables, sundry creditors, other creditors,
creanciers, accounts payable trade
    > liability=payables,accrued_liabilities,short_term_debt,long_term_debt
payable, payables, a payer, owing, a verser
    > weak liability=payables,accrued_liabilities,short_term_debt,long_term_debt
accrued, accrual, accruals, accrued liabilities, accrued expenses, charges a payer, frais courus, couru,
courus, deferred revenue, deferred income, unearned revenue, produits reportes, produits constates d avance,
revenus reportes, customer deposits, depots de clients, avances de clients, acomptes recus, clients crediteurs,
customer prepayments
    > liability=accrued_liabilities,long_term_debt asset=other_current_assets,other_assets
      income=revenue,other_income expense=general_admin,other_expenses
accounts receivable, comptes clients, compte client, comptes a recevoir, compte a recevoir, clients, client,
debiteurs, debiteur, debtors, debtor, trade debtors, sundry debtors, trade receivables, creances clients,
accounts receivable trade
    > asset=receivables,other_current_assets,other_assets
receivable, receivables, a recevoir, recevable, recevables, creances, creance, recoverable, refundable,
a recuperer, deductible, deductibles
    > weak asset=receivables,other_current_assets,other_assets
prepaid, prepaids, prepaid expenses, prepayments, prepayment, payes d avance, paye d avance,
frais payes d avance, charges constatees d avance, charges payees d avance, deposits paid, deposit,
deposits, depots, depot, cautionnements verses, avances et acomptes verses
    > open asset=other_current_assets,other_assets expense=general_admin
bank, banque, banques, chequing, checking, cheques, savings, epargne, cash, encaisse, petty cash,
petite caisse, caisse, undeposited funds, fonds non deposes, desjardins, cash on hand, cash at bank,
money market, compte bancaire, comptes bancaires, paypal, stripe
    > asset=cash,other_current_assets,other_assets expense=general_admin,other_expenses
escompte, escomptes, escomptes de caisse, discounts, discount, cash discount, cash discounts,
remises, rabais
    > expense=other_expenses,cost_of_sales income=other_income,revenue
cogs, cost of goods, cost of goods sold, cost of sales, cost of revenue, cout des ventes, cout des marchandises,
cout des marchandises vendues, achats, achat, purchases, purchase, direct labour, direct labor,
main d oeuvre directe, materials, materiaux, matieres premieres, subcontractors, sous traitance,
subcontract, freight in, carriage inwards, direct costs, direct expenses, couts directs, variation des stocks,
cost of services, job costs
    > expense=cost_of_sales,general_admin
inventory, inventories, stock, stocks, inventaire, inventaires, marchandises, work in progress,
travaux en cours, en cours, finished goods, produits finis, raw materials, goods in transit
    > asset=inventory,other_current_assets expense=cost_of_sales
rent, loyer, loyers, lease, bail, occupancy, occupation, utilities, electricity, electricite, hydro, heating,
chauffage, condo fees, frais de condo, repairs, repairs and maintenance, maintenance, entretien,
entretien et reparations, reparations, janitorial, conciergerie, locations, location, rates, gas, water,
eau, energie, energy, premises, locaux, light and heat, cleaning, nettoyage
    > expense=rent_occupancy,general_admin income=other_income
marketing, advertising, advertisement, publicite, promotion, promotions, ads, google ads, facebook ads,
commandites, sponsorship, publicity, annonces, relations publiques, public relations, salons,
trade shows, cadeaux, gifts
    > expense=marketing
equipment, equipement, equipements, vehicle, vehicles, vehicule, vehicules, motor vehicles, furniture,
mobilier, computer, computers, ordinateur, ordinateurs, building, buildings, batiment, batiments,
immeuble, immeubles, land, terrain, terrains, leasehold improvements, ameliorations locatives, machinery,
machinerie, immobilisation, immobilisations, fixed assets, fixed asset, plant, fixtures, fittings,
agencements, installations, materiel, outillage, tools, property plant and equipment,
construction in progress, immobilisations en cours, capital work in progress, constructions,
materiel de transport, materiel roulant, software, logiciel, logiciels, corporelles, corporelle
    > asset=fixed_assets,other_assets expense=general_admin,depreciation
patents, brevets, trademarks, marques, goodwill, achalandage, fonds commercial, intangible, intangibles,
intangible assets, incorporelles, incorporelle, immobilisations incorporelles, licences, licenses,
frais d etablissement, frais de premier etablissement, organization costs, incorporation costs, frais de constitution
    > asset=other_assets,fixed_assets expense=general_admin,depreciation
investments, investment, placements, placement, titres, securities, participations, valeurs mobilieres,
actions, shares in, term deposits, depots a terme
    > open asset=other_assets,other_current_assets income=other_income equity=owner_equity
retained earnings, benefices non repartis, bnr, surplus, deficit, report a nouveau, resultat de l exercice,
current year earnings, unappropriated profit, profit and loss account, reserves, reserve, reserve legale,
resultat, results, accumulated earnings, accumulated deficit
    > equity=retained_earnings,owner_equity
capital, share capital, capital actions, capital social, common shares, common stock, actions ordinaires,
owner, owners, proprietaire, drawings, retraits, dividends, dividendes, contributions, apport, apports,
opening balance equity, equity, capitaux propres, paid in capital, additional paid in capital,
treasury stock, preferred stock, actions privilegiees, prime d emission, owner s equity, partner,
partners, exploitant, subventions d investissement, shares, share, preferred shares, primes d emission
    > equity=owner_equity,retained_earnings liability=long_term_debt,short_term_debt
      asset=other_assets,other_current_assets expense=other_expenses income=other_income
other income, interest income, interest earned, revenus d interets, produits d interets, autres revenus,
autres produits, gain, gains, produits divers, produits financiers,
revenus financiers, investment income, dividend income, produits exceptionnels, extraordinary gain,
gain on sale, gain on disposal, reprises, reprise, transferts de charges, subventions, grants, grant,
government grants, royalties received, rental income, revenus de location, foreign exchange gain,
gains de change
    > income=other_income,revenue expense=other_expenses,general_admin
sales, sale, revenue, revenues, ventes, vente, chiffre d affaires, revenus, revenu, fees earned, honoraires,
services rendered, prestations, prestations de services, turnover, income, produits, recettes,
consulting income, service income
    > income=revenue,other_income expense=cost_of_sales,general_admin asset=receivables,other_current_assets
current assets, actif a court terme, actifs a court terme, actif court terme, actifs courants, actif courant,
actif circulant, other current assets, autres actifs a court terme, autres actifs courants
    > asset=other_current_assets
non current assets, noncurrent assets, long term assets, other assets, autres actifs, actifs non courants,
actif non courant, actif immobilise, other non current assets, autres actifs non courants, actifs a long terme,
actif a long terme
    > asset=other_assets,fixed_assets
current liabilities, passif a court terme, passifs a court terme, passifs courants, passif courant,
dettes a court terme, other current liabilities, autres passifs a court terme, autres passifs courants
    > liability=accrued_liabilities
long term liabilities, non current liabilities, passif a long terme, passifs a long terme, passifs non courants,
passif non courant, dettes a long terme, other long term liabilities, autres passifs non courants,
autres passifs a long terme
    > liability=long_term_debt,short_term_debt
assets, asset, actif, actifs, application of funds
    > asset=-
liabilities, liability, passif, passifs, source of funds
    > liability=-
expenses, expense, charges, depenses, costs
    > expense=-
office, bureau, insurance, assurance, assurances, professional fees, honoraires professionnels, legal,
honoraires comptables, honoraires juridiques, honoraires d avocats, frais juridiques, frais comptables, fax,
processing fees, payment processing, frais de traitement,
legal fees, accounting, accounting fees, comptabilite, telephone, internet, telecommunications,
travel, deplacement, deplacements, voyages, meals, repas, supplies, fournitures, dues, subscriptions,
abonnements, postage, poste, frais postaux, training, formation, admin, administration,
frais generaux, general expenses, general and administrative, consulting, conseil, entertainment,
receptions, motor expenses, vehicle expenses, frais de vehicule, fuel, carburant, printing, impression,
stationery, papeterie, computer expenses, it, sundry, sundries, divers,
miscellaneous, misc, freight, transport, transports, shipping, courier, messagerie, licenses and permits,
permis, honoraires, commissions, courtage, royalties, redevances, documentation, seminaires, recrutement,
recruitment, services exterieurs, autres services exterieurs, charges externes, frais, operating expenses,
charges d exploitation, overheads, frais fixes, frais d exploitation
    > expense=general_admin,cost_of_sales,other_expenses
other expense, other expenses, donations, donation, dons, charitable contributions, charitable,
autres depenses, autres charges, loss, losses, perte, pertes, penalties,
penalites, amendes, fines, exchange, change, foreign exchange, rounding, arrondi, ecarts, charges exceptionnelles,
extraordinary, extraordinary items, elements extraordinaires, elements non recurrents, non recurring items,
exceptionnel, exceptionnels, exceptionnelles, non recurring, non operating, hors exploitation,
charges hors exploitation, loss on disposal, moins values, valeur comptable des elements d actif cedes,
valeurs comptables, mali, minority interest, participation des salaries, unrealized, non realise
    > expense=other_expenses,general_admin income=other_income
"""

# Words that put a balance-sheet account on one term when the app does not say.
_TERMS = """
long term, long terme, a long terme, non current, noncurrent, non courant, non courante, plus d un an,
due after one year, more than one year, deferred tax, impot differe, impots differes
    > non_current
current portion, court terme, a court terme, short term, due within one year, moins d un an, courant, courante
    > current
"""


@dataclass(frozen=True)
class Meaning:
    """What one phrase means: per side, the leaves it may be, the first preferred."""

    rule: str
    targets: dict[str, tuple[str, ...]]
    weak: bool = False  # a head that only says the side ("X payable"): the name's other phrases go first
    open: bool = False  # says nothing of the term ("Loans"): current or not is left to the chart's code block

    def leaves(self, side: str) -> tuple[str, ...] | None:
        """Return the leaves on ``side`` (empty when it stays with its account), None when it says nothing there."""
        leaves = self.targets.get(side)
        if leaves is None:
            return None
        return () if leaves == ("-",) else leaves

    @property
    def side(self) -> str:
        """The side the phrase means on its own."""
        return next(iter(self.targets))


def _blocks(text: str) -> list[tuple[list[str], str]]:
    blocks: list[tuple[list[str], str]] = []
    phrases: list[str] = []
    for line in text.strip().splitlines():
        if line.startswith("    > "):
            blocks.append((phrases, line[6:]))
            phrases = []
        elif line.startswith("      "):
            phrases_, targets = blocks[-1]
            blocks[-1] = (phrases_, f"{targets} {line.strip()}")
        else:
            phrases.extend(phrase.strip() for phrase in line.split(",") if phrase.strip())
    return blocks


@functools.cache
def lexicon() -> dict[tuple[str, ...], Meaning]:
    """Return the phrase index: stemmed words of each phrase to its meaning (the first rule naming it wins)."""
    index: dict[tuple[str, ...], Meaning] = {}
    for phrases, targets in _blocks(_LEXICON):
        words = targets.split()
        flags = {word for word in words if "=" not in word}
        pairs = (pair.partition("=") for pair in words if "=" in pair)
        targets_of = {side: tuple(leaves.split(",")) for side, _, leaves in pairs}
        meaning = Meaning(phrases[0], targets_of, "weak" in flags, "open" in flags)
        for phrase in phrases:
            index.setdefault(tokens(phrase), meaning)
    return index


@functools.cache
def terms() -> dict[tuple[str, ...], str]:
    """Return the phrases that name a term (``current`` or ``non_current``)."""
    index: dict[tuple[str, ...], str] = {}
    for phrases, term in _blocks(_TERMS):
        for phrase in phrases:
            index.setdefault(tokens(phrase), term.strip())
    return index
