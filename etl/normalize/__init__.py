"""Normalization of source strings: text, codes, dates, money, counts, regions, names, masking.

The functions are pure (no I/O except reading the bundled reference table and masking policy
once, cached). The parsers and checkers never raise on odd input: a value that cannot be read
comes back as None (or an invalid CodeCheck with the reasons), never guessed.
"""
