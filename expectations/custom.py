"""Great Expectations 1.x custom expectations for the CityLake rules the standard gallery lacks.

Each expectation pairs a map metric provider (pandas only: we validate pandas batches read from DuckDB) with a
predicate from :mod:`expectations.rules`, so GX and the tests judge a value by the same code.

Rules judged relative to a record's as-of date (GB 11643 birth date, ``date``, ``fresh``) are column-*pair*
map expectations: ``column_A`` is the value, ``column_B`` the record's as-of date (``load_date``), because the
spec makes the as-of date a property of each record (API feeds keep versions loaded on different days) and a
column map metric only ever sees its own column. Rules with no as-of date are plain column map expectations.

Importing this module registers the metrics and expectations with GX.
"""

from __future__ import annotations

from typing import ClassVar, List, Literal, Tuple

from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation, ColumnPairMapExpectation
from great_expectations.expectations.metrics import ColumnMapMetricProvider, column_condition_partial
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnPairMapMetricProvider,
    column_pair_condition_partial,
)

from expectations import rules

_LIBRARY_METADATA = {
    "maturity": "experimental",
    "tags": ["citylake", "GB 11643", "GB/T 2260"],
    "contributors": ["@citylake"],
    "requirements": ["python-stdnum"],
}


# --- metric providers ----------------------------------------------------------------------------------------


class ColumnValuesYichunGb2260Division(ColumnMapMetricProvider):
    condition_metric_name = "column_values.citylake_gb2260_division"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        return rules.gb2260_division(column)


class ColumnValuesMobilePhone(ColumnMapMetricProvider):
    condition_metric_name = "column_values.citylake_mobile_phone"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        return rules.mobile_phone(column)


class ColumnPairValuesGb11643IdAsOf(ColumnPairMapMetricProvider):
    condition_metric_name = "column_pair_values.citylake_gb11643_id_as_of"

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_A, column_B, **kwargs):
        return rules.gb11643_id(column_A, as_of=column_B)


class ColumnPairValuesDateAsOf(ColumnPairMapMetricProvider):
    condition_metric_name = "column_pair_values.citylake_date_as_of"
    condition_value_keys = ("formats",)

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_A, column_B, formats, **kwargs):
        return rules.date(column_A, formats, as_of=column_B)


class ColumnPairValuesFreshAsOf(ColumnPairMapMetricProvider):
    condition_metric_name = "column_pair_values.citylake_fresh_as_of"
    condition_value_keys = ("formats", "reverify_days")

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_A, column_B, formats, reverify_days, **kwargs):
        return rules.fresh(column_A, formats, reverify_days, as_of=column_B)


class ColumnValuesGb32100Uscc(ColumnMapMetricProvider):
    condition_metric_name = "column_values.citylake_gb32100_uscc"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        return rules.gb32100_uscc(column)


class ColumnValuesGbt28181DeviceId(ColumnMapMetricProvider):
    condition_metric_name = "column_values.citylake_gbt28181_device_id"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        return rules.gbt28181_device_id(column)


class ColumnValuesStatsDivisionCode(ColumnMapMetricProvider):
    condition_metric_name = "column_values.citylake_stats_division_code"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        return rules.stats_division_code(column)


class ColumnValuesRealestateUnitId(ColumnMapMetricProvider):
    condition_metric_name = "column_values.citylake_realestate_unit_id"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        return rules.realestate_unit_id(column)


class ColumnValuesVehiclePlate(ColumnMapMetricProvider):
    condition_metric_name = "column_values.citylake_vehicle_plate"
    condition_value_keys = ("prefix",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, prefix, **kwargs):
        return rules.vehicle_plate(column, prefix)


class ColumnPairValuesDisabilityCardIdAsOf(ColumnPairMapMetricProvider):
    condition_metric_name = "column_pair_values.citylake_disability_card_id_as_of"

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_A, column_B, **kwargs):
        return rules.disability_card_id(column_A, as_of=column_B)


# --- expectations --------------------------------------------------------------------------------------------


class ExpectColumnValuesToBeYichunGb2260Division(ColumnMapExpectation):
    """Expect each value to be a GB/T 2260 county-level code of 宜春市 in force today (行政区划代码有效)."""

    map_metric = "column_values.citylake_gb2260_division"
    success_keys: ClassVar[Tuple[str, ...]] = ("mostly",)
    library_metadata = _LIBRARY_METADATA


class ExpectColumnValuesToBeMobilePhone(ColumnMapExpectation):
    """Expect each value to be a mainland mobile number, ``(+86)?1[3-9]`` + 9 half-width digits."""

    map_metric = "column_values.citylake_mobile_phone"
    success_keys: ClassVar[Tuple[str, ...]] = ("mostly",)
    library_metadata = _LIBRARY_METADATA


class _AsOfPairExpectation(ColumnPairMapExpectation):
    """column_A is judged against the as-of date in column_B; the predicate itself lets empty values pass."""

    # "neither": every row reaches the predicate, so a record without an as-of date fails loudly instead of
    # being skipped.
    ignore_row_if: Literal["both_values_are_missing", "either_value_is_missing", "neither"] = "neither"


class ExpectColumnPairValuesToBeValidGb11643Id(_AsOfPairExpectation):
    """Expect column_A to be a valid 公民身份号码 (GB 11643, via ``stdnum.cn.ric``) born on or before column_B."""

    map_metric = "column_pair_values.citylake_gb11643_id_as_of"
    success_keys: ClassVar[Tuple[str, ...]] = ("ignore_row_if", "mostly")
    library_metadata = _LIBRARY_METADATA


class ExpectColumnPairValuesToBeDateInFormats(_AsOfPairExpectation):
    """Expect column_A to parse with one of ``formats`` and not be after the as-of date in column_B."""

    formats: List[str]
    map_metric = "column_pair_values.citylake_date_as_of"
    success_keys: ClassVar[Tuple[str, ...]] = ("formats", "ignore_row_if", "mostly")
    library_metadata = _LIBRARY_METADATA


class ExpectColumnPairValuesToBeFreshWithin(_AsOfPairExpectation):
    """Expect column_A to parse with one of ``formats`` and be at most ``reverify_days`` older than column_B."""

    formats: List[str]
    reverify_days: int
    map_metric = "column_pair_values.citylake_fresh_as_of"
    success_keys: ClassVar[Tuple[str, ...]] = ("formats", "reverify_days", "ignore_row_if", "mostly")
    library_metadata = _LIBRARY_METADATA


class ExpectColumnValuesToBeGb32100Uscc(ColumnMapExpectation):
    """Expect each value to be a 统一社会信用代码 (GB 32100, ``stdnum.cn.uscc``) whose 组织机构代码 passes GB 11714."""

    map_metric = "column_values.citylake_gb32100_uscc"
    success_keys: ClassVar[Tuple[str, ...]] = ("mostly",)
    library_metadata = _LIBRARY_METADATA


class ExpectColumnValuesToBeGbt28181DeviceId(ColumnMapExpectation):
    """Expect each value to be a 20-digit GB/T 28181 device id under a 宜春市 centre code, with Annex D codes."""

    map_metric = "column_values.citylake_gbt28181_device_id"
    success_keys: ClassVar[Tuple[str, ...]] = ("mostly",)
    library_metadata = _LIBRARY_METADATA


class ExpectColumnValuesToBeYichunStatsDivisionCode(ColumnMapExpectation):
    """Expect each value to be a 12-digit 统计用区划代码 under a 宜春市 county code in force today."""

    map_metric = "column_values.citylake_stats_division_code"
    success_keys: ClassVar[Tuple[str, ...]] = ("mostly",)
    library_metadata = _LIBRARY_METADATA


class ExpectColumnValuesToBeRealestateUnitId(ColumnMapExpectation):
    """Expect each value to be a 28-character 不动产单元号 (GB/T 37346) of a 宜春市 county."""

    map_metric = "column_values.citylake_realestate_unit_id"
    success_keys: ClassVar[Tuple[str, ...]] = ("mostly",)
    library_metadata = _LIBRARY_METADATA


class ExpectColumnValuesToBeVehiclePlate(ColumnMapExpectation):
    """Expect each value to be a motor-vehicle plate issued under ``prefix`` (宜春: 赣C)."""

    prefix: str = "赣C"
    map_metric = "column_values.citylake_vehicle_plate"
    success_keys: ClassVar[Tuple[str, ...]] = ("prefix", "mostly")
    library_metadata = _LIBRARY_METADATA


class ExpectColumnPairValuesToBeValidDisabilityCardId(_AsOfPairExpectation):
    """Expect column_A to be a 20-character 残疾人证号: a valid 公民身份号码 as of column_B + category 1–7 + grade 1–4."""

    map_metric = "column_pair_values.citylake_disability_card_id_as_of"
    success_keys: ClassVar[Tuple[str, ...]] = ("ignore_row_if", "mostly")
    library_metadata = _LIBRARY_METADATA
