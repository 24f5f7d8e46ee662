"""CityLake: a social-governance data lake (Airflow → Parquet lake → dbt/DuckDB → GX → reports)."""
