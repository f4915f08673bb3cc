"""The shipped nginx configurations, run by Debian's nginx: publish/examples/nginx.conf (site and
Datasette on one host) and publish/datasette/nginx.conf (the replicas' balancer), rendered by
publish/nginx.py for a temporary folder, listening on 127.0.0.1, in front of a real Datasette
on the public fixture database and a small static site. docs/datasette.md, "The proxy".

nginx runs unprivileged (as nobody when the tests run as root). Two clients are two source
addresses on the loopback network (127.0.0.x): the limits key on the connection's address and
the configurations trust no X-Forwarded-For.
"""

from __future__ import annotations

import http.client
import os
import pwd
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest
import yaml

from publish import nginx, releases
from publish.datasette.plugins import security_headers
from tests._datasette_server import READY, free_port

ROOT = Path(__file__).resolve().parent.parent
SITE_CONF = ROOT / "publish" / "examples" / "nginx.conf"
REPLICAS_CONF = ROOT / "publish" / "datasette" / "nginx.conf"
COMPOSE = ROOT / "publish" / "datasette" / "docker-compose.yml"
QUERIES = ROOT / "publish" / "datasette" / "queries.yml"
THEME_BASE = ROOT / "theme" / "templates" / "base.html"
# the pages the Datasette plugin refuses, and /-/metadata, which nginx refuses too
INTROSPECTION = security_headers.INTROSPECTION + ("metadata",)
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")
MAIN_CONF = """\
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {run}/access.log;
    client_body_temp_path {run}/tmp/body;
    proxy_temp_path {run}/tmp/proxy;
    fastcgi_temp_path {run}/tmp/fastcgi;
    uwsgi_temp_path {run}/tmp/uwsgi;
    scgi_temp_path {run}/tmp/scgi;
    include {conf};
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if not found:
        pytest.fail(
            "nginx is not installed: these tests run the shipped proxy configurations with "
            "Debian's nginx (apt-get install --no-install-recommends nginx; .ci/run installs it)",
            pytrace=False,
        )
    return found


def unprivileged() -> dict:
    """Popen arguments that drop root to nobody; nothing when not root."""
    if os.geteuid() != 0:
        return {}
    nobody = pwd.getpwnam("nobody")
    return {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}


def chown_tree(path: Path) -> None:
    if os.geteuid() != 0:
        return
    nobody = pwd.getpwnam("nobody")
    for folder, dirs, files in os.walk(path):
        for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
            os.chown(name, nobody.pw_uid, nobody.pw_gid)


def wait_for_port(port: int, process: subprocess.Popen, log: Path, what: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start: {log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.05)


class Nginx:
    """One nginx master running a shipped template, rendered with this folder's values."""

    def __init__(self, run: Path, template: Path, values: dict[str, str]):
        self.binary = nginx_binary()
        self.dir = run
        self.template = template
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.values = {
            "PROXY_LISTEN": f"127.0.0.1:{self.port}",
            "PROXY_CACHE_DIR": str(run / "cache"),
            **values,
        }
        self.log = run / "error.log"
        self.process: subprocess.Popen | None = None
        for sub in ("cache", "tmp"):
            (run / sub).mkdir(parents=True, exist_ok=True)

    def write(self) -> Path:
        conf = self.dir / "proxy.conf"
        conf.write_text(
            nginx.render(self.template.read_text(encoding="utf-8"), self.values), encoding="utf-8"
        )
        main = self.dir / "nginx.conf"
        main.write_text(MAIN_CONF.format(run=self.dir, conf=conf), encoding="utf-8")
        chown_tree(self.dir)
        return main

    def start(self) -> None:
        main = self.write()
        self.log_file = open(self.log, "ab")
        self.process = subprocess.Popen(
            [
                self.binary,
                "-e",
                "stderr",
                "-p",
                str(self.dir),
                "-c",
                str(main),
                "-g",
                f"daemon off; pid {self.dir / 'nginx.pid'}; error_log stderr notice;",
            ],
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            **unprivileged(),
        )
        wait_for_port(self.port, self.process, self.log, "nginx")

    def reload(self, **values: str) -> None:
        """New values, then SIGHUP; returns once the old worker has exited (its successor serves)."""
        self.values.update(values)
        self.write()
        exited = self.worker_exits()
        self.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 20
        while self.worker_exits() <= exited:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"nginx did not reload: {self.log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.05)

    def worker_exits(self) -> int:
        return len(re.findall(r"worker process \d+ exited", self.log.read_text(errors="replace")))

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            self.log_file.close()


class Stack:
    """A temporary deployment: releases under dist/ with `current` and `serving` links, a static
    site behind a `site` link, a Datasette serving dist/serving, and nginx instances."""

    def __init__(self, public_db: Path):
        self.public_db = public_db
        # not pytest's tmp_path: nobody must be able to resolve the links inside it
        self.root = Path(tempfile.mkdtemp(prefix="disclosure-nginx-"))
        self.root.chmod(0o755)
        self.dest = self.root / "dist"
        self.dest.mkdir()
        self.datasette_port = free_port()
        self.datasette: subprocess.Popen | None = None
        self.servers: list[Nginx] = []
        self._site()

    def _site(self) -> None:
        site = self.root / "site.d" / "r1"
        (site / "css").mkdir(parents=True)
        (site / "js").mkdir()
        (site / "data").mkdir()
        (site / "index.html").write_text(
            '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>首页</title><h1>安全生产信息公开</h1></html>\n',
            encoding="utf-8",
        )
        (site / "404.html").write_text(
            '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>页面不存在</title><h1>页面不存在</h1></html>\n',
            encoding="utf-8",
        )
        (site / "css" / "site.css").write_text("body { margin: 0 }\n", encoding="utf-8")
        (site / "js" / "search.js").write_text("console.log(1);\n", encoding="utf-8")
        (site / "data" / "accidents.csv").write_text("id,title\n1,示例\n", encoding="utf-8")
        (site / "data" / "accidents.json").write_text('[{"id": 1}]\n', encoding="utf-8")
        (self.root / "site").symlink_to(site)

    def add_release(self, as_of: str | None = None) -> Path:
        folder = releases.new_release(self.dest)
        data = folder / "datasette" / "data"
        data.mkdir(parents=True)
        shutil.copy(self.public_db, data / "public.db")
        if as_of:
            conn = sqlite3.connect(data / "public.db")
            with conn:
                conn.execute("update build_info set value = ? where key = 'as_of'", (as_of,))
            conn.close()
        releases.write_info(folder, {"status": "ok"})
        return folder

    def start_datasette(self) -> None:
        """What Datasette's service does on every start: pin `serving`, serve from it."""
        nginx.pin(self.dest)
        log = self.root / "datasette.log"
        self.datasette_log = open(log, "ab")
        self.datasette = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "publish.datasette_serve",
                "--db",
                str(self.dest / "serving" / "datasette" / "data" / "public.db"),
                "--port",
                str(self.datasette_port),
                "--workers",
                "1",
                "--base-url",
                "/datasette/",
            ],
            cwd=ROOT,
            env=dict(os.environ, PYTHONPATH=str(ROOT), DISCLOSURE_DATASETTE_WARM="0"),
            stdout=self.datasette_log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{self.datasette_port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + READY, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.datasette.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"datasette did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.1)

    def stop_datasette(self) -> None:
        if self.datasette and self.datasette.poll() is None:
            self.datasette.terminate()
            try:
                self.datasette.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.datasette.kill()
                self.datasette.wait()
            self.datasette_log.close()

    def site_proxy(self) -> Nginx:
        """publish/examples/nginx.conf: the site at /, Datasette at /datasette/."""
        return self._nginx(
            "site",
            SITE_CONF,
            {
                "PROXY_SERVER_NAME": "localhost",
                "PROXY_SITE_ROOT": str(self.root / "site"),
                "PROXY_DATASETTE": f"127.0.0.1:{self.datasette_port}",
                "PROXY_SERVING": str(self.dest / "serving"),
            },
        )

    def replicas_proxy(self, release: str) -> Nginx:
        """publish/datasette/nginx.conf: the balancer, Datasette at /."""
        return self._nginx(
            "replicas",
            REPLICAS_CONF,
            {"PROXY_DATASETTE": f"127.0.0.1:{self.datasette_port}", "PROXY_RELEASE": release},
        )

    def _nginx(self, name: str, template: Path, values: dict) -> Nginx:
        server = Nginx(self.root / "nginx" / name, template, values)
        self.servers.append(server)
        server.start()
        return server

    def close(self) -> None:
        for server in self.servers:
            server.stop()
        self.stop_datasette()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def stack(public_db):
    nginx_binary()
    built = Stack(public_db)
    try:
        releases.switch(built.dest, built.add_release())
        built.start_datasette()
        built.site = built.site_proxy()
        built.replicas = built.replicas_proxy("r1")
        yield built
    finally:
        built.close()


def client(base: str, n: int) -> httpx.Client:
    """A client connecting from 127.0.0.<n>: a client address of its own."""
    return httpx.Client(
        base_url=base, transport=httpx.HTTPTransport(local_address=f"127.0.0.{n}"), timeout=30
    )


def assert_security_headers(response: httpx.Response) -> None:
    where = f"{response.request.method} {response.request.url.raw_path.decode()} ({response.status_code})"
    for name in SECURITY_HEADERS:
        assert (
            len(response.headers.get_list(name)) == 1
        ), f"{where}: {name}: {response.headers.get_list(name)}"
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, f"{where}: {csp}"
    assert response.headers["x-content-type-options"] == "nosniff", where
    assert response.headers["x-frame-options"] == "DENY", where
    assert response.headers["referrer-policy"] in ("no-referrer", "strict-origin-when-cross-origin"), where


def theme_policy() -> list[str]:
    """The directives of the CSP the site's pages declare in a meta element."""
    match = re.search(
        r'http-equiv="Content-Security-Policy" content="([^"]+)"', THEME_BASE.read_text(encoding="utf-8")
    )
    assert match, "theme/templates/base.html has no CSP meta element"
    return [d.strip() for d in match.group(1).split(";") if d.strip()]


# ---- the renderer -----------------------------------------------------------------------------


def test_render_fills_placeholders_and_leaves_nginx_variables():
    text = nginx.render(
        "listen ${PROXY_LISTEN}; set $x $uri; ${PROXY_RELEASE}", {"PROXY_LISTEN": "127.0.0.1:9"}
    )
    assert text == "listen 127.0.0.1:9; set $x $uri; latest"
    with pytest.raises(nginx.MissingValue, match="PROXY_NOPE"):
        nginx.render("root ${PROXY_NOPE};")


def test_templates_use_only_known_placeholders_and_compose_sets_them():
    for template in (SITE_CONF, REPLICAS_CONF):
        nginx.render(template.read_text(encoding="utf-8"))  # raises on an unknown placeholder
    lb = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]["lb"]
    needed = set(nginx.PLACEHOLDER.findall(REPLICAS_CONF.read_text(encoding="utf-8")))
    assert needed <= set(lb["environment"]), needed - set(lb["environment"])
    assert any(v.startswith("./nginx.conf:/etc/nginx/templates/") for v in lb["volumes"])


def test_canned_query_lists_match_queries_yml():
    names = set(yaml.safe_load(QUERIES.read_text(encoding="utf-8")))
    for template in (SITE_CONF, REPLICAS_CONF):
        match = re.search(r"/public/\(([a-z_|]+)\)", template.read_text(encoding="utf-8"))
        assert match, f"{template}: no canned query map"
        listed = set(match.group(1).split("|"))
        assert listed == names, (
            f"{template.relative_to(ROOT)}: add {sorted(names - listed)}, remove {sorted(listed - names)} "
            "in the canned query map (rate-limited like ?sql=)"
        )


def test_pin_points_serving_at_current(tmp_path):
    first, second = (releases.new_release(tmp_path) for _ in range(2))
    for folder in (first, second):
        releases.write_info(folder, {"status": "ok"})
    releases.switch(tmp_path, first)
    assert nginx.pin(tmp_path) == first.resolve()
    releases.switch(tmp_path, second)
    assert (tmp_path / "serving").resolve() == first.resolve()  # only pin moves it
    nginx.pin(tmp_path)
    assert (tmp_path / "serving").resolve() == second.resolve()
    assert not list(tmp_path.glob(".serving.*"))


# ---- headers ----------------------------------------------------------------------------------

SITE_PATHS = {
    "/": 200,
    "/css/site.css": 200,
    "/js/search.js": 200,
    "/data/accidents.csv": 200,
    "/data/accidents.json": 200,
    "/no-such-page/": 404,
}
DATASETTE_PATHS = {
    "public/accidents": 200,
    "public/accidents.csv?_size=3": 200,
    "public/accidents.json?_size=3": 200,
    "public/accidents.json?_size=max": 200,
    "public/build_info.json": 200,
    "-/static/app.css": 200,
    "static/disclosure.css": 200,
    "public/no_such_table": 404,
    "-/versions": 404,
}


def test_headers_on_the_site(stack):
    policy = theme_policy()
    with client(stack.site.base, 11) as c:
        for path, status in SITE_PATHS.items():
            response = c.get(path)
            assert response.status_code == status, path
            assert_security_headers(response)
            csp = response.headers["content-security-policy"]
            missing = [d for d in policy if d not in csp]
            assert not missing, f"{path}: the header CSP lacks the pages' own {missing}"
            assert "unsafe-inline" not in csp, path
        assert "页面不存在" in c.get("/no-such-page/").text  # the site's own 404 page
        assert c.get("/").headers["cache-control"] == "no-cache"
        assert "max-age" in c.get("/css/site.css").headers["cache-control"]


@pytest.mark.parametrize("proxy", ["site", "replicas"])
def test_headers_on_datasette_pages_exports_assets_and_errors(stack, proxy):
    server, prefix, n = (stack.site, "/datasette/", 12) if proxy == "site" else (stack.replicas, "/", 13)
    with client(server.base, n) as c:
        for path, status in DATASETTE_PATHS.items():
            for attempt in (1, 2):  # the second answer of a cacheable page comes from the cache
                response = c.get(prefix + path)
                assert response.status_code == status, (path, response.text[:300])
                assert_security_headers(response)
        html = c.get(prefix + "public/accidents")
        # Datasette's own policy (its inline scripts by hash), not replaced by the proxy's
        assert "'sha256-" in html.headers["content-security-policy"]
        assert html.headers["referrer-policy"] == "no-referrer"
        assert html.headers["x-cache-status"] == "HIT"


def test_site_proxy_strips_the_datasette_prefix(stack):
    with client(stack.site.base, 14) as c:
        page = c.get("/datasette/public/accidents").text
    assert 'href="/datasette/public/accidents.csv' in page
    assert "/datasette/datasette/" not in page


# ---- introspection ----------------------------------------------------------------------------


@pytest.mark.parametrize("proxy", ["site", "replicas"])
def test_introspection_is_refused_and_pages_work(stack, proxy):
    server, prefix, n = (stack.site, "/datasette/", 15) if proxy == "site" else (stack.replicas, "/", 16)
    with client(server.base, n) as c:
        for name in INTROSPECTION:
            for path in (f"-/{name}", f"-/{name}.json", f"-/{name}?_=1", f"%2D/{name}"):
                response = c.get(prefix + path)
                assert response.status_code in (403, 404), path
                assert_security_headers(response)
        assert raw_get(server.port, prefix.rstrip("/") + "//-/versions", n) in (403, 404)
        for path in ("", "public", "public/accidents", "public/build_info.json", "-/static/app.css"):
            assert c.get(prefix + path).status_code == 200, path


def raw_get(port: int, path: str, n: int) -> int:
    """The status of a GET of exactly this path (httpx would normalise it)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(f"127.0.0.{n}", 0))
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


# ---- limits -----------------------------------------------------------------------------------


def statuses(c: httpx.Client, path: str, count: int) -> list[int]:
    return [c.get(path).status_code for _ in range(count)]


@pytest.mark.parametrize("proxy", ["site", "replicas"])
def test_sql_beyond_the_limit_gets_429_for_that_client_only(stack, proxy):
    server, prefix, n = (stack.site, "/datasette/", 20) if proxy == "site" else (stack.replicas, "/", 30)
    with client(server.base, n) as greedy, client(server.base, n + 1) as other:
        # 30 a minute, burst 10: the first 11 pass at once, then 429
        seen = statuses(greedy, prefix + "public?sql=select+1", 16)
        assert seen[:11] == [200] * 11 and 429 in seen, seen
        refused = greedy.get(prefix + "public?sql=select+2")
        assert refused.status_code == 429
        assert "请求过于频繁" in refused.text
        assert refused.headers["content-type"].startswith("text/html")
        assert "charset=utf-8" in refused.headers["content-type"]
        assert refused.headers["retry-after"] == "60"
        assert_security_headers(refused)
        # the same zone: a canned query page, _where= and a %-escaped parameter name
        for path in ("public/repeated_accidents", "public/accidents?_where=1", "public?s%71l=select+1"):
            assert greedy.get(prefix + path).status_code == 429, path
        # the same client's table pages are not SQL
        assert greedy.get(prefix + "public/accidents").status_code == 200
        # another client's SQL and table pages are unaffected
        assert other.get(prefix + "public?sql=select+1").status_code == 200
        assert other.get(prefix + "public/accidents?_size=5").status_code == 200


@pytest.mark.parametrize("proxy", ["site", "replicas"])
def test_exports_beyond_the_limit_get_429(stack, proxy):
    server, prefix, n = (stack.site, "/datasette/", 40) if proxy == "site" else (stack.replicas, "/", 50)
    with (
        client(server.base, n) as csv,
        client(server.base, n + 1) as big_json,
        client(server.base, n + 2) as api,
        client(server.base, n + 3) as copyable,
    ):
        # 60 a minute, burst 20: the first 21 pass at once
        seen = statuses(csv, prefix + "public/accidents.csv?_size=2", 26)
        assert seen[:21] == [200] * 21 and 429 in seen, seen
        # datasette-copyable's text table is an export too
        seen = statuses(copyable, prefix + "public/accidents.copyable?_size=2", 26)
        assert seen[:21] == [200] * 21 and 429 in seen, seen
        seen = statuses(big_json, prefix + "public/accidents.json?_size=max", 26)
        assert seen[:21] == [200] * 21 and 429 in seen, seen
        assert big_json.get(prefix + "public/accidents.json?_size=3").status_code == 200
        # plain JSON pages (the API with its default page size) are not exports
        seen = statuses(api, prefix + "public/accidents.json?_size=3", 30)
        assert seen == [200] * 30, seen


# ---- the page cache ---------------------------------------------------------------------------


@pytest.mark.parametrize("proxy", ["site", "replicas"])
def test_repeated_datasette_page_is_a_cache_hit(stack, proxy):
    server, prefix, n = (stack.site, "/datasette/", 60) if proxy == "site" else (stack.replicas, "/", 61)
    with client(server.base, n) as c:
        for path in ("public/accidents?_size=7", "public/accidents.json?_size=7", "public?sql=select+7"):
            first, second = c.get(prefix + path), c.get(prefix + path)
            assert (first.headers["x-cache-status"], second.headers["x-cache-status"]) == (
                "MISS",
                "HIT",
            ), path
            assert first.content == second.content


@pytest.mark.parametrize("proxy", ["site", "replicas"])
def test_post_cookies_authorization_and_bulk_downloads_bypass_the_cache(stack, proxy):
    server, prefix, n = (stack.site, "/datasette/", 62) if proxy == "site" else (stack.replicas, "/", 63)
    with client(server.base, n) as c:
        path = prefix + "public/accidents?_size=8"
        for headers in ({"Cookie": "ds_actor=x"}, {"Authorization": "Bearer x"}):
            assert c.get(path, headers=headers).headers["x-cache-status"] == "BYPASS"
        # an answer to a request with a cookie was not stored
        assert c.get(path).headers["x-cache-status"] == "MISS"
        assert c.get(path).headers["x-cache-status"] == "HIT"
        # POST goes to Datasette (here: it refuses a POST to a table), never to the cache
        posted = c.post(path, data={"a": "b"})
        assert posted.headers.get("x-cache-status") in (None, "BYPASS"), posted.headers
        assert posted.status_code != 200
        for bulk in ("public/accidents.csv?_stream=on&_size=2", "public/accidents.csv?_dl=1&_size=2"):
            assert [c.get(prefix + bulk).headers["x-cache-status"] for _ in range(2)] == ["BYPASS"] * 2, bulk


# ---- a release switch -------------------------------------------------------------------------


def as_of(response: httpx.Response) -> str:
    return {row["key"]: row["value"] for row in response.json()["rows"]}["as_of"]


def test_a_new_release_gets_new_cache_keys_and_a_rollback_finds_its_own(public_db):
    nginx_binary()
    stack = Stack(public_db)
    try:
        first = stack.add_release()
        releases.switch(stack.dest, first)
        stack.start_datasette()
        site = stack.site_proxy()
        replicas = stack.replicas_proxy(first.name)
        path = "public/build_info.json?_shape=objects&_size=50"
        with client(site.base, 70) as s, client(replicas.base, 71) as r:
            old = s.get("/datasette/" + path)
            assert old.headers["x-cache-status"] == "MISS" and as_of(old) == "2026-06-30"
            assert s.get("/datasette/" + path).headers["x-cache-status"] == "HIT"
            assert r.get("/" + path).headers["x-cache-status"] == "MISS"

            # publish/release.py switches `current`; Datasette still serves the first release,
            # and so does the cache
            second = stack.add_release(as_of="2026-07-31")
            releases.switch(stack.dest, second)
            hit = s.get("/datasette/" + path)
            assert hit.headers["x-cache-status"] == "HIT" and as_of(hit) == "2026-06-30"

            # Datasette's service restarts: while it is down, cached pages are still served and
            # others get the Chinese 503 page (not stored)
            stack.stop_datasette()
            assert as_of(s.get("/datasette/" + path)) == "2026-06-30"
            down = s.get("/datasette/public/accidents?_size=9")
            assert down.status_code in (502, 503) and "暂不可用" in down.text, down.text
            assert_security_headers(down)
            stack.start_datasette()  # pins `serving` to the second release first
            new = s.get("/datasette/" + path)
            assert new.headers["x-cache-status"] == "MISS" and as_of(new) == "2026-07-31"
            again = s.get("/datasette/" + path)
            assert again.headers["x-cache-status"] == "HIT" and as_of(again) == "2026-07-31"
            assert s.get("/datasette/public/accidents?_size=9").status_code == 200

            # the replicas' balancer: a new RELEASE (the image tag) in its key
            replicas.reload(PROXY_RELEASE=second.name)
            new = r.get("/" + path)
            assert new.headers["x-cache-status"] == "MISS" and as_of(new) == "2026-07-31"
            assert r.get("/" + path).headers["x-cache-status"] == "HIT"

            # rollback: the first release's pages are its own, still cached
            releases.switch(stack.dest, first)
            stack.stop_datasette()
            stack.start_datasette()
            back = s.get("/datasette/" + path)
            assert back.headers["x-cache-status"] == "HIT" and as_of(back) == "2026-06-30"
            fresh = s.get("/datasette/public/accidents?_size=11")
            assert fresh.headers["x-cache-status"] == "MISS" and fresh.status_code == 200
    finally:
        stack.close()


def test_an_answer_outliving_a_switch_of_serving_is_not_stored(stack):
    """A request that started before `serving` moved (a slow query) is answered but not cached
    under the old release's key: its answer may come from the new Datasette."""
    slow = (
        "/datasette/public.json?sql=with+recursive+c(x)+as+(select+1+union+all+select+x%2B1+"
        "from+c+where+x<1200000)+select+count(*)+from+c"
    )
    serving = stack.dest / "serving"
    release = serving.resolve()
    result: dict = {}
    with client(stack.site.base, 80) as c:
        worker = threading.Thread(target=lambda: result.update(response=c.get(slow), done=time.monotonic()))
        worker.start()
        time.sleep(0.05)
        moved = stack.dest / ".serving.test"
        moved.symlink_to(stack.dest)  # another folder: another release path
        os.replace(moved, serving)
        switched = time.monotonic()
        worker.join()
        moved.symlink_to(os.path.relpath(release, stack.dest))
        os.replace(moved, serving)
        assert result["response"].status_code == 200, result["response"].text[:300]
        if result["done"] <= switched:
            pytest.fail("the slow query was answered before `serving` moved; make it slower")
        assert c.get(slow).headers["x-cache-status"] == "MISS"
        assert c.get(slow).headers["x-cache-status"] == "HIT"
