"""The shipped nginx configurations with one machine's values, and the link Datasette serves.

    python -m publish.nginx render publish/examples/nginx.conf [--set NAME=VALUE …] > site.conf
    python -m publish.nginx pin --dest /srv/disclosure/dist

`render`: publish/examples/nginx.conf and publish/datasette/nginx.conf are templates with
`${PROXY_*}` placeholders, the syntax the official nginx image fills from the environment
(/etc/nginx/templates/, publish/datasette/docker-compose.yml). This fills them the same way from
DEFAULTS and `--set`, and refuses a placeholder it has no value for. nginx's own variables
(`$uri`, `$host` …) are lower case and left alone.

`pin`: points `<dest>/serving` at the release `<dest>/current` points at, with one rename.
Datasette's service runs it before every start and serves serving/datasette/data/public.db; the
proxy keys its page cache on where `serving` resolves, so the cache follows the release the
running Datasette serves (docs/datasette.md, "The proxy").
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from publish import releases

DEFAULTS = {
    "PROXY_LISTEN": "80",  # address and/or port of `listen`
    "PROXY_SERVER_NAME": "disclosure.example.gov.cn",
    "PROXY_SITE_ROOT": "/srv/disclosure/site",  # the link `python -m publish deploy` swaps
    "PROXY_DATASETTE": "127.0.0.1:8001",  # host:port of Datasette (or of its replicas)
    "PROXY_SERVING": "/srv/disclosure/dist/serving",  # the link `pin` writes
    "PROXY_CACHE_DIR": "/var/cache/nginx/disclosure-datasette",
    "PROXY_RELEASE": "latest",  # the replicas' image tag (publish/datasette/nginx.conf)
}
PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")
SERVING = "serving"


class MissingValue(ValueError):
    pass


def render(template: str, values: dict[str, str] | None = None) -> str:
    """The template with every ${NAME} replaced by values[NAME], else DEFAULTS[NAME]."""
    known = {**DEFAULTS, **(values or {})}
    missing = sorted({name for name in PLACEHOLDER.findall(template) if name not in known})
    if missing:
        raise MissingValue(f"no value for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda match: str(known[match.group(1)]), template)


def pin(dest: Path) -> Path:
    """Point <dest>/serving at the current release (one rename: nginx resolves the old link or
    the new one); return the release. Run it only while no Datasette serves from the link."""
    release = releases.current(dest)
    if release is None:
        raise click.ClickException(f"no current release in {dest}")
    tmp = dest / f".{SERVING}.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(os.path.relpath(release, dest))
    os.replace(tmp, dest / SERVING)
    return release


@click.group()
def cli() -> None:
    """nginx configurations of the public site and Datasette."""


@cli.command("render")
@click.argument("template", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--set", "pairs", multiple=True, metavar="NAME=VALUE", help="A placeholder's value.")
def render_command(template: Path, pairs: tuple[str, ...]) -> None:
    """Print TEMPLATE with its ${PROXY_*} placeholders filled in."""
    values = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--set")
        values[name] = value
    try:
        click.echo(render(template.read_text(encoding="utf-8"), values), nl=False)
    except MissingValue as error:
        raise click.ClickException(str(error)) from None


@cli.command("pin")
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), required=True)
def pin_command(dest: Path) -> None:
    """Point DEST/serving at the current release (before Datasette starts)."""
    click.echo(pin(dest))


if __name__ == "__main__":
    cli()
