"""Settings for the published build: pelicanconf.py plus the public origin.

DISCLOSURE_SITE_URL (environment; the same variable Datasette's links to the site read) is the
origin the site is served from; links, canonical URLs, Open Graph tags, feeds and the sitemap use it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent))
from pelicanconf import *  # noqa: E402,F401,F403

SITEURL = os.environ.get("DISCLOSURE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
RELATIVE_URLS = False
DISCLOSURE_CANONICAL_URL = SITEURL
