"""One Great Expectations suite per contract, built from the contract's rules (never restated by hand).

Every expectation carries ``meta`` naming the CityLake rule it checks (rule id ``<column>:<rule>``, Chinese
name, GB/T 36344 dimension, severity), which is how the runner maps GX results back to rules and records.
"""

from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation

from expectations import custom
from ingest.contracts import Contract, Rule

# The record's as-of date (docs/architecture.md §4): time-relative rules are judged against it.
AS_OF_COLUMN = "load_date"

# Rules judged over the whole snapshot (or another table), not value by value. The runner computes whether they
# hold per record into a helper column (see rules.unique / rules.address_resolvable) and GX checks that column.
DATASET_RULES = frozenset({"unique", "address_resolvable"})

_GX_SEVERITY = {"error": "critical", "warning": "warning"}


def suite_name(contract: Contract) -> str:
    return f"citylake.{contract.id}"


def helper_column(rule: Rule) -> str:
    """Name of the boolean "rule holds" column the runner adds for a dataset-level rule."""
    return f"_holds__{rule.column}__{rule.rule}"


def rule_meta(contract: Contract, rule: Rule) -> dict:
    return {
        "contract_id": contract.id,
        "rule_id": rule.rule_id,
        "rule": rule.rule,
        "column": rule.column,
        "rule_name": rule.name,
        "dimension": rule.gbt36344,
        "odcs_dimension": rule.dimension,
        "severity": rule.severity,
    }


def expectation_for(contract: Contract, rule: Rule) -> Expectation:
    """The GX expectation that checks one CityLake rule."""
    common = {"meta": rule_meta(contract, rule), "severity": _GX_SEVERITY[rule.severity]}
    col = rule.column
    match rule.rule:
        case "required":
            # The runner turns blank strings into nulls first, so "not null" is exactly "present and not blank".
            return gxe.ExpectColumnValuesToNotBeNull(column=col, **common)
        case "in_set":
            return gxe.ExpectColumnValuesToBeInSet(column=col, value_set=[str(v) for v in rule.args["values"]], **common)
        case "mobile_phone":
            return custom.ExpectColumnValuesToBeMobilePhone(column=col, **common)
        case "gb2260_division":
            return custom.ExpectColumnValuesToBeYichunGb2260Division(column=col, **common)
        case "gb11643_id":
            return custom.ExpectColumnPairValuesToBeValidGb11643Id(column_A=col, column_B=AS_OF_COLUMN, **common)
        case "date":
            return custom.ExpectColumnPairValuesToBeDateInFormats(
                column_A=col, column_B=AS_OF_COLUMN, formats=list(rule.args["formats"]), **common
            )
        case "fresh":
            if contract.reverify_days is None:
                raise ValueError(f"{contract.id}: rule {rule.rule_id} needs the contract's reverifyDays")
            return custom.ExpectColumnPairValuesToBeFreshWithin(
                column_A=col,
                column_B=AS_OF_COLUMN,
                formats=list(rule.args["formats"]),
                reverify_days=contract.reverify_days,
                **common,
            )
        case "gb32100_uscc":
            return custom.ExpectColumnValuesToBeGb32100Uscc(column=col, **common)
        case "gbt28181_device_id":
            return custom.ExpectColumnValuesToBeGbt28181DeviceId(column=col, **common)
        case "stats_division_code":
            return custom.ExpectColumnValuesToBeYichunStatsDivisionCode(column=col, **common)
        case "realestate_unit_id":
            return custom.ExpectColumnValuesToBeRealestateUnitId(column=col, **common)
        case "vehicle_plate":
            return custom.ExpectColumnValuesToBeVehiclePlate(column=col, prefix=str(rule.args.get("prefix", "赣C")), **common)
        case "disability_card_id":
            return custom.ExpectColumnPairValuesToBeValidDisabilityCardId(column_A=col, column_B=AS_OF_COLUMN, **common)
        case "unique" | "address_resolvable":
            return gxe.ExpectColumnValuesToBeInSet(column=helper_column(rule), value_set=[True], **common)
    raise ValueError(f"{contract.id}: no expectation for rule {rule.rule_id}")


def build_suite(contract: Contract) -> gx.ExpectationSuite:
    """The suite of one contract: one expectation per rule, in the contract's order."""
    return gx.ExpectationSuite(
        name=suite_name(contract),
        expectations=[expectation_for(contract, r) for r in contract.rules],
        meta={"contract_id": contract.id, "title": contract.title, "department": contract.department_name},
    )
