"""Templates looked up once per process.

Datasette 0.65.5 renders each page with `select_template` over a list of names, most specific
first (e.g. `table-public-accidents-1a2b3c.html`, then `table.html`). Jinja checks the file of
every template it has already loaded for changes (`auto_reload`: a `stat` each), and asks every
template folder again for each name that does not exist, on every request: 2-4% of a distinct
page's time at national size (py-spy; docs/scaling.md, "Datasette").

The templates of a served release do not change while its processes run (a release is a new
image or a new process), so this plugin turns the reload check off and remembers which names no
folder has (at most MAX_MISSING; then it forgets them all and asks again).
DISCLOSURE_TEMPLATE_RELOAD=1 keeps Jinja's behaviour, for editing templates with a running server.
"""

import os

from datasette import hookimpl
from jinja2 import BaseLoader, TemplateNotFound

MAX_MISSING = 4096


class RememberMissing(BaseLoader):
    """A loader that asks `loader`, and answers TemplateNotFound from memory the second time."""

    def __init__(self, loader: BaseLoader):
        self.loader = loader
        self.missing: set[str] = set()
        self.has_source_access = loader.has_source_access

    def get_source(self, environment, template):
        if template in self.missing:
            raise TemplateNotFound(template)
        try:
            return self.loader.get_source(environment, template)
        except TemplateNotFound:
            if len(self.missing) >= MAX_MISSING:
                self.missing.clear()
            self.missing.add(template)
            raise

    def list_templates(self):
        return self.loader.list_templates()


@hookimpl
def prepare_jinja2_environment(env, datasette):
    if os.environ.get("DISCLOSURE_TEMPLATE_RELOAD", "0") == "1" or isinstance(env.loader, RememberMissing):
        return
    env.auto_reload = False
    env.loader = RememberMissing(env.loader)
