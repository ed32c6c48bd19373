"""Payday, a Gusto-like payroll app: employees with jobs, pay schedules, and pay runs with nested compensations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.apps._shared import Raw, cents, instant, stable_uuid, text
from sandbox.apps._shared import raw_records as _raw_records
from sandbox.fixtures.business import Business
from sandbox.fixtures.ids import common_id
from sandbox.fixtures.model import CommonObject, RawRecord, make_object

KEY = "payday"
NAME = "Payday"
CATEGORY = "payroll"
AUTH_TYPE = "oauth2"
DESCRIPTION = "Payroll, taxes and benefits for small teams: employees and every pay run."
RESOURCES = ("employees", "pay_schedules", "payrolls")
OBJECTS = ("employees", "payroll")

_FREQUENCIES = {
    "Every week": "weekly",
    "Every other week": "biweekly",
    "Twice per month": "semimonthly",
    "Monthly": "monthly",
}


def render(business: Business) -> Raw:
    """Render the staff, the pay schedule and every processed pay run as Payday's API returns them."""
    seed = business.seed

    def gid(*parts: str) -> str:
        return stable_uuid(seed, KEY, *parts)

    schedule = gid("schedule")
    first_run = business.pay_runs[0] if business.pay_runs else None
    schedules = [
        {
            "uuid": schedule,
            "frequency": "Every other week",
            "name": "Bi-weekly staff",
            "anchor_pay_date": first_run.pay_date.isoformat() if first_run else None,
            "anchor_end_of_pay_period": first_run.period_end.isoformat() if first_run else None,
        }
    ]
    employees = []
    for e in business.employees:
        salaried = e.annual_salary is not None
        left = e.termination_date is not None and e.termination_date <= business.end
        employees.append(
            {
                "uuid": gid("employee", e.key),
                "first_name": e.first_name,
                "last_name": e.last_name,
                "email": e.email,
                "department": e.department,
                "terminated": left,
                "onboarded": True,
                "pay_schedule_uuid": schedule,
                "jobs": [
                    {
                        "uuid": gid("job", e.key),
                        "title": e.title,
                        "hire_date": e.hire_date.isoformat(),
                        "primary": True,
                        "compensations": [
                            {
                                "rate": text((e.annual_salary if salaried else e.hourly_rate) or 0),
                                "payment_unit": "Year" if salaried else "Hour",
                                "flsa_status": "Exempt" if salaried else "Nonexempt",
                            }
                        ],
                    }
                ],
                "terminations": [{"effective_date": e.termination_date.isoformat()}]
                if left and e.termination_date
                else [],
            }
        )
    salaried_keys = {e.key for e in business.employees if e.annual_salary is not None}
    payrolls = []
    for run in business.pay_runs:
        compensations = []
        for stub in run.stubs:
            pay = (
                {"fixed_compensations": [{"name": "Salary", "amount": text(stub.gross)}], "hourly_compensations": []}
                if stub.employee_key in salaried_keys
                else {
                    "fixed_compensations": [],
                    "hourly_compensations": [
                        {
                            "name": "Regular Hours",
                            "hours": f"{stub.hours:.3f}",
                            "compensation_multiplier": 1,
                            "amount": text(stub.gross),
                        }
                    ],
                }
            )
            compensations.append(
                {
                    "employee_uuid": gid("employee", stub.employee_key),
                    "gross_pay": text(stub.gross),
                    "net_pay": text(stub.net),
                    "payment_method": "Direct Deposit",
                    **pay,
                    "taxes": [{"name": name, "employer": False, "amount": text(amount)} for name, amount in stub.taxes]
                    + [
                        {"name": name, "employer": True, "amount": text(amount)} for name, amount in stub.employer_taxes
                    ],
                    "benefits": [
                        {"name": name, "employee_deduction": text(amount), "company_contribution": "0.00"}
                        for name, amount in stub.deductions
                    ],
                    "deductions": [],
                }
            )
        gross = sum(s.gross for s in run.stubs)
        employer = sum(s.employer_tax_total for s in run.stubs)
        payrolls.append(
            {
                "payroll_uuid": gid("payroll", run.key),
                "processed": True,
                "check_date": run.pay_date.isoformat(),
                "processed_date": instant(run.pay_date, -2 * 86400 + 15 * 3600),
                "pay_period": {
                    "start_date": run.period_start.isoformat(),
                    "end_date": run.period_end.isoformat(),
                    "pay_schedule_uuid": schedule,
                },
                "totals": {
                    "gross_pay": text(gross),
                    "net_pay": text(sum(s.net for s in run.stubs)),
                    "employer_taxes": text(employer),
                    "employee_taxes": text(sum(s.employee_taxes for s in run.stubs)),
                    "benefits": text(sum(s.deduction_total for s in run.stubs)),
                    "company_debit": text(gross + employer),
                },
                "employee_compensations": compensations,
            }
        )
    return {"employees": employees, "pay_schedules": schedules, "payrolls": payrolls}


_ID_OF: dict[str, Callable[[dict[str, Any]], Any]] = {
    "employees": lambda item: item["uuid"],
    "pay_schedules": lambda item: item["uuid"],
    "payrolls": lambda item: item["payroll_uuid"],
}


def raw_records(raw: Raw) -> list[RawRecord]:
    """List Payday's raw records with their resource name and UUID."""
    return _raw_records(raw, _ID_OF)


def normalize(raw: Raw) -> list[CommonObject]:
    """Map Payday's records into the common model: employees, and one payroll row per employee per pay run."""
    out: list[CommonObject] = []
    frequencies = {s["uuid"]: _FREQUENCIES.get(s.get("frequency", ""), "other") for s in raw.get("pay_schedules", [])}
    for item in raw.get("employees", []):
        job = next((j for j in item.get("jobs", []) if j.get("primary")), (item.get("jobs") or [{}])[0])
        out.append(
            make_object(
                "employees",
                KEY,
                source_type="employees",
                source_id=item["uuid"],
                fields={
                    "name": f"{item['first_name']} {item['last_name']}",
                    "title": job.get("title"),
                    "department": item.get("department"),
                    "hire_date": job.get("hire_date"),
                    "status": "terminated" if item.get("terminated") else "active",
                    "pay_frequency": frequencies.get(item.get("pay_schedule_uuid", ""), "other"),
                    "currency": "USD",
                },
            )
        )
    for run in raw.get("payrolls", []):
        if not run.get("processed"):
            continue
        period = run["pay_period"]
        for comp in run.get("employee_compensations", []):
            taxes = comp.get("taxes", [])
            out.append(
                make_object(
                    "payroll",
                    KEY,
                    source_type="payrolls",
                    source_id=run["payroll_uuid"],
                    id_key=f"{run['payroll_uuid']}:{comp['employee_uuid']}",
                    fields={
                        "employee_id": common_id("employees", KEY, comp["employee_uuid"]),
                        "pay_run_id": run["payroll_uuid"],
                        "period_start": period["start_date"],
                        "period_end": period["end_date"],
                        "pay_date": run["check_date"],
                        "gross_pay": cents(comp["gross_pay"]),
                        "employee_taxes": sum(cents(t["amount"]) for t in taxes if not t.get("employer")),
                        "deductions": sum(cents(b.get("employee_deduction")) for b in comp.get("benefits", []))
                        + sum(cents(d.get("amount")) for d in comp.get("deductions", [])),
                        "net_pay": cents(comp["net_pay"]),
                        "employer_taxes": sum(cents(t["amount"]) for t in taxes if t.get("employer")),
                        "currency": "USD",
                    },
                )
            )
    return out
