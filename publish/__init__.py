"""The staff publish pipeline: sources → ETL → gates → build → atomic release → rollback."""
