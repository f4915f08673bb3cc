"""Field extraction from the body text of accident reports and summaries.

extract_report(text, anchor) in etl/extract/report.py is the entry point; the other modules
each own one family of fields. A field the text does not state is None, never guessed.
"""
