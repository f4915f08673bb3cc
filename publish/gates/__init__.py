"""Release gates. A gate is a function that returns a GateResult (result.py): problems ("what
and where") stop the release, warnings are shown and logged; the configuration turns some
problems into warnings. publish/release.py runs each as a step. One module per gate:

- personal data (pii.py): no unmasked ID or phone number, and no fragment of an ID number a
  source printed masked (620102********1234), in the site, the downloads or the databases;
- statuses (status_rules.py): statuses recomputed with etl/rules for the as-of date must agree
  with what the public database shows;
- sources (source_runs.py): the shrink guard held and every source is fresh;
- review (review_queue.py): no new low-confidence fact nobody has decided on, or, in mode
  `mark`, such facts are shown 待核实;
- site (links.py): required pages exist, internal links resolve, nothing is loaded from another host;
- HTML validation (vnu.py): the W3C Nu checker;
- Datasette canned queries (datasette.py): every canned query runs on the candidate database.

The modules are not named after their gate functions, which would hide them here
(`gates.site` is the function). Settings such as vnu.VNU_JAR or pii.PIECE_BYTES are read from
their own module: set them there.
"""

from publish.gates.datasette import canned_queries
from publish.gates.links import REQUIRED_PAGES, site
from publish.gates.pii import TEXT_SUFFIXES, personal_data
from publish.gates.result import GateResult
from publish.gates.review_queue import REVIEW_MODES, review, review_mode
from publish.gates.source_runs import sources
from publish.gates.status_rules import statuses
from publish.gates.vnu import VNU_JAR, html_validation

__all__ = [
    "GateResult",
    "REQUIRED_PAGES",
    "REVIEW_MODES",
    "TEXT_SUFFIXES",
    "VNU_JAR",
    "canned_queries",
    "html_validation",
    "personal_data",
    "review",
    "review_mode",
    "site",
    "sources",
    "statuses",
]
