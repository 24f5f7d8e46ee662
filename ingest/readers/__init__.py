"""Readers turn one delivered source into a :class:`ingest.records.SourceBatch`. Pure: bytes in, rows out."""
