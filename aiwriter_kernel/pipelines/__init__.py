"""Pipelines: typed requests in, stored results with provenance out."""
