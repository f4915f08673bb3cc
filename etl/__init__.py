"""ETL for the work-safety disclosure platform: sources -> data/disclosure.db."""
