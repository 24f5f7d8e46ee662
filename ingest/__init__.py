"""Ingestion: contracts, connectors and the Parquet lake writer."""
