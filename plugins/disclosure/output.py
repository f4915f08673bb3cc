"""The output tree: write a file only when its bytes changed, and remember what each page was
made from so an unchanged page is not even rendered again.

Why: file creation dominates a static build here, and pages that keep
their bytes and modification times keep web caches valid (docs/scaling.md: a rebuild with nothing changed
rewrites 0 files). Every file the build produces goes through one ``OutputTree`` (our generator
directly, Pelican's own pages through ``ChangedOnlyWriter``), so after the build the tree knows the
full set of live files and can delete stale ones: a record that left the public database (an
expired blacklist entry, say) must not leave its old page behind.

The manifest (in Pelican's cache folder) records each file's fingerprint, size and modification
time, and a stamp per group of outputs: the digest of everything the group is made from and its
files. A rebuild whose stamp matches and whose files are untouched does nothing at all (``reuse``).
Render workers (render.py) each fill a ``branch`` of the tree; the parent ``merge``s them.
"""

from __future__ import annotations

import filecmp
import hashlib
import io
import json
import logging
import os
import shutil
from pathlib import Path
from typing import Iterable

from pelican.writers import Writer

log = logging.getLogger(__name__)

_TREES: dict[str, "OutputTree"] = {}
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def tree_for(output_path, settings) -> "OutputTree":
    """The tree of this build for ``output_path`` (one per Pelican run, see ``reset``)."""
    key = os.path.realpath(output_path)
    if key not in _TREES:
        state = settings.get("DISCLOSURE_OUTPUT_STATE")
        _TREES[key] = OutputTree(Path(key), Path(settings["CACHE_PATH"]), Path(state) if state else None)
    return _TREES[key]


def reset() -> None:
    _TREES.clear()


def all_trees() -> list["OutputTree"]:
    return list(_TREES.values())


class OutputTree:
    def __init__(self, root: Path, cache_dir: Path, state_path: Path | None = None):
        """``state_path``: where the manifest is kept (default: the cache folder, keyed by the
        output folder). A release keeps it in its own folder, so the next release, whose site
        starts as hard links to this one's files, starts from it too (publish/carry.py)."""
        self.root = root
        self._root = str(root) + os.sep  # string paths: pathlib costs ~15 µs a call at this volume
        self.touched: set[str] = set()
        self.written: list[str] = []
        self.processes = 0  # render processes this build used (0: nothing rendered)
        self.pelican_pages: list[str] = []  # Pelican's own pages (12350, about): in the search index
        self.skipped = 0  # unchanged and not re-rendered (fingerprint hit)
        self.same = 0  # re-rendered, bytes identical, not written
        digest = hashlib.sha1(str(root).encode()).hexdigest()[:12]
        self.manifest_path = state_path or cache_dir / f"disclosure-pages-{digest}.json"
        try:
            saved = json.loads(self.manifest_path.read_text(encoding="utf-8"))
            if isinstance(saved.get("files"), dict):
                self.manifest, self.old_stamps = saved["files"], saved.get("stamps") or {}
            else:  # written before stamps existed: {rel: entry}
                self.manifest, self.old_stamps = saved, {}
        except (OSError, ValueError, AttributeError):
            self.manifest = None  # first build into this folder: prune walks the whole tree
            self.old_stamps = {}
        self.new_manifest: dict[str, list] = {}
        self.stamps: dict[str, list] = {}
        # a first build into an empty folder has nothing stale to look for (prune)
        self.started_empty = _empty(root)

    # -- render workers (render.py): each fills a branch; the parent merges them
    def branch(self) -> "OutputTree":
        """An empty tree over the same folder, last manifest and last stamps, for one worker."""
        sub = object.__new__(OutputTree)
        sub.root, sub._root, sub.manifest_path = self.root, self._root, self.manifest_path
        sub.manifest, sub.old_stamps, sub.stamps = self.manifest, self.old_stamps, {}
        sub.touched, sub.written, sub.new_manifest = set(), [], {}
        sub.skipped = sub.same = 0
        return sub

    def delta(self) -> tuple:
        """What this branch produced, small enough to send back from a worker process."""
        return self.new_manifest, self.written, self.skipped, self.same, self.stamps

    def merge(self, delta: tuple) -> None:
        new_manifest, written, skipped, same, stamps = delta
        twice = self.touched.intersection(new_manifest)
        if twice:
            raise RuntimeError(f"output file written twice in one build: {sorted(twice)[0]}")
        self.touched.update(new_manifest)
        self.new_manifest.update(new_manifest)
        self.written.extend(written)
        self.skipped += skipped
        self.same += same
        self.stamps.update(stamps)

    # -- whole groups of outputs
    def reuse(self, name: str, key: str) -> int:
        """When the last build stamped ``name`` with this same ``key`` (a digest of everything
        those outputs are made from) and every file it listed is on disk untouched, claim them
        all without rendering or comparing anything and return how many; else 0."""
        stamp = self.old_stamps.get(name)
        if not stamp or stamp[0] != key or not self.manifest:
            return 0
        entries = []
        for rel in stamp[1]:
            entry = self.manifest.get(rel)
            if entry is None or rel in self.touched:
                return 0
            try:
                st = os.stat(self._root + rel)
            except FileNotFoundError:
                return 0
            if st.st_size != entry[1] or st.st_mtime_ns != entry[2]:
                return 0
            entries.append((rel, entry))
        for rel, entry in entries:
            self.touched.add(rel)
            self.new_manifest[rel] = entry
        self.skipped += len(entries)
        self.stamps[name] = stamp
        self._keep_nested_stamps(name, stamp[1])
        return len(entries)

    def _keep_nested_stamps(self, name: str, rels) -> None:
        """Keep the stamps of groups made inside the group just reused (the open-data exports
        inside "disclosure"): their files are among those claimed, and their inputs are part of
        what the reused key covered. Dropped, the next build that changes anything would
        regenerate every export, and a rebuild that changed nothing would rewrite the state."""
        claimed = None
        for other, stamp in self.old_stamps.items():
            if other == name or other in self.stamps:
                continue
            claimed = claimed if claimed is not None else set(rels)
            if stamp[1] and claimed.issuperset(stamp[1]):
                self.stamps[other] = stamp

    def stamp(self, name: str, key: str, rels) -> None:
        """Record that the outputs ``rels`` were made from ``key`` (see ``reuse``)."""
        self.stamps[name] = [key, sorted(rels)]

    # -- bookkeeping
    def _claim(self, rel: str) -> str:
        rel = rel.lstrip("/")
        if rel in self.touched:
            raise RuntimeError(f"output file written twice in one build: {rel}")
        self.touched.add(rel)
        return self._root + rel

    def _record(self, rel: str, path: str, fingerprint: str | None) -> None:
        """Every file the build produced goes into the manifest (so the next build can delete
        the ones it no longer produces without walking the tree); ``fingerprint`` says what it
        was made from, when known."""
        st = os.stat(path)
        self.new_manifest[rel] = [fingerprint or "", st.st_size, st.st_mtime_ns]

    # -- writing
    def write(self, rel: str, data: bytes, fingerprint: str | None = None) -> bool:
        """Write ``data`` to ``rel`` unless the file already holds exactly these bytes. An
        existing file is replaced atomically (a reader never sees half a page); a new one is
        created in place. File creation dominates a full build, so this makes as few system
        calls as it can: no mkdir unless the folder is missing, the size and mtime for the
        manifest from the open file."""
        path = self._claim(rel)
        rel = rel.lstrip("/")
        try:
            st = os.stat(path)
        except FileNotFoundError:
            st = None
        if st is not None and st.st_size == len(data):
            with open(path, "rb") as fh:
                if fh.read() == data:
                    self.same += 1
                    self.new_manifest[rel] = [fingerprint or "", st.st_size, st.st_mtime_ns]
                    return False
        target = path if st is None else path + ".tmp"
        try:
            fd = os.open(target, _CREATE, 0o666)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd = os.open(target, _CREATE, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            st = os.fstat(fd)
        finally:
            os.close(fd)
        if target != path:
            os.replace(target, path)
        self.written.append(rel)
        self.new_manifest[rel] = [fingerprint or "", st.st_size, st.st_mtime_ns]
        return True

    def write_chunks(self, rel: str, chunks: Iterable[bytes], fingerprint: str | None = None) -> bool:
        """``write`` for a file made in pieces (a table's download): the pieces go to a temporary
        file beside it, which replaces the file unless that already holds exactly these bytes.
        Memory stays at one piece whatever the file's size."""
        path = self._claim(rel)
        rel = rel.lstrip("/")
        tmp = path + ".tmp"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            with open(tmp, "wb") as fh:
                for chunk in chunks:
                    fh.write(chunk)
            try:
                same = filecmp.cmp(tmp, path, shallow=False)
            except FileNotFoundError:
                same = False
            if same:
                os.unlink(tmp)
                self.same += 1
                self._record(rel, path, fingerprint)
                return False
            os.replace(tmp, path)
        except BaseException:
            if os.path.lexists(tmp):
                os.unlink(tmp)
            raise
        self.written.append(rel)
        self._record(rel, path, fingerprint)
        return True

    def fresh(self, rel: str, fingerprint: str) -> bool:
        """True (and the file is claimed) when ``rel`` was made from the same inputs last time
        and is still on disk untouched: it need not be rendered at all."""
        rel = rel.lstrip("/")
        entry = (self.manifest or {}).get(rel)
        if not entry or not fingerprint or entry[0] != fingerprint:
            return False
        try:
            st = os.stat(self._root + rel)
        except FileNotFoundError:
            return False
        if [st.st_size, st.st_mtime_ns] != entry[1:]:
            return False
        self._claim(rel)
        self.new_manifest[rel] = entry
        self.skipped += 1
        return True

    def all_fresh(self, rels: list[str], fingerprint: str) -> bool:
        """``fresh`` for a group of files made together: all are claimed, or none."""
        for rel in rels:
            entry = (self.manifest or {}).get(rel.lstrip("/"))
            if not entry or entry[0] != fingerprint:
                return False
            try:
                st = os.stat(self._root + rel.lstrip("/"))
            except FileNotFoundError:
                return False
            if [st.st_size, st.st_mtime_ns] != entry[1:]:
                return False
        return all(self.fresh(rel, fingerprint) for rel in rels)

    def copy(self, src: Path, rel: str, fingerprint: str | None = None, link: bool = False) -> bool:
        """Copy a file unless the destination already has the same bytes. With ``link``, for a
        source nothing writes to in place (the public database: etl/public.py replaces it), the
        copy is a hard link where the file system allows one: the national database is 7 GB.
        Either way the destination is replaced, never written through (it may be a release's
        hard link, publish/carry.py)."""
        path = self._claim(rel)
        rel = rel.lstrip("/")
        source = os.stat(src)
        try:
            target = os.stat(path)
        except FileNotFoundError:
            target = None
        # with ``link`` the bytes are compared only when the size and mtime match too (a copy of
        # this very file): reading two 7 GB files costs more than the link, and a new public.db
        # (every release: build_info.built_at) has a new mtime
        if target is not None and (
            (target.st_dev, target.st_ino) == (source.st_dev, source.st_ino)
            or (
                target.st_size == source.st_size
                and (not link or target.st_mtime_ns == source.st_mtime_ns)
                and filecmp.cmp(src, path, shallow=False)
            )
        ):
            self.same += 1
            self._record(rel, path, fingerprint)
            return False
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".tmp"
        if os.path.lexists(tmp):
            os.unlink(tmp)
        try:
            if not link:
                raise OSError("copy")
            os.link(src, tmp)
        except OSError:  # another file system, or links not allowed: copy the bytes
            shutil.copyfile(src, tmp)
        os.replace(tmp, path)
        self.written.append(rel)
        self._record(rel, path, fingerprint)
        return True

    def keep(self, rel: str) -> None:
        """Mark a file produced outside the tree (the search index) as live."""
        rel = rel.lstrip("/")
        self.touched.add(rel)
        entry = (self.manifest or {}).get(rel)
        if entry:
            self.new_manifest[rel] = entry
        else:
            self._record(rel, self._root + rel, None)

    # -- after the build
    def prune(self, keep_dirs: tuple[str, ...] = ()) -> list[str]:
        """Delete every file under the root that this build did not produce: the files the last
        build recorded and this one did not, or, with no record of the last build, every file
        found by walking the tree."""
        if self.manifest is not None:
            removed = []
            for rel in sorted(set(self.manifest) - self.touched):
                if any(rel.startswith(k.rstrip("/") + "/") for k in keep_dirs):
                    continue
                path = self._root + rel
                if os.path.isfile(path):
                    os.unlink(path)
                    removed.append(rel)
                    _remove_empty_parents(os.path.dirname(path), str(self.root))
            return removed
        removed = []
        if self.started_empty:
            return removed
        for dirpath, dirnames, filenames in os.walk(self.root, topdown=False):
            rel_dir = os.path.relpath(dirpath, self.root)
            rel_dir = "" if rel_dir == "." else rel_dir + "/"
            if any(rel_dir.startswith(k.rstrip("/") + "/") for k in keep_dirs):
                continue
            for name in filenames:
                rel = rel_dir + name
                if rel not in self.touched:
                    os.unlink(os.path.join(dirpath, name))
                    removed.append(rel)
            if rel_dir and not os.listdir(dirpath):
                os.rmdir(dirpath)
        return removed

    def save_manifest(self) -> None:
        unchanged = self.new_manifest == self.manifest and self.stamps == self.old_stamps
        self.manifest, self.old_stamps = self.new_manifest, self.stamps
        if unchanged and self.manifest_path.exists():
            return  # a rebuild that changed nothing: the saved manifest already says this
        self.manifest_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.manifest_path.with_suffix(".tmp")
        tmp.write_text(
            json.dumps(
                {"files": self.new_manifest, "stamps": self.stamps}, ensure_ascii=False, separators=(",", ":")
            ),
            encoding="utf-8",
        )
        os.replace(tmp, self.manifest_path)

    def summary(self) -> str:
        return (
            f"{len(self.written)} files written, {self.same} unchanged after rendering, "
            f"{self.skipped} unchanged and not re-rendered"
        )


def _empty(folder: Path) -> bool:
    if not folder.is_dir():
        return True
    with os.scandir(folder) as entries:
        return next(entries, None) is None


def _remove_empty_parents(folder: str, root: str) -> None:
    while folder.startswith(root) and folder != root.rstrip(os.sep) and not os.listdir(folder):
        os.rmdir(folder)
        folder = os.path.dirname(folder)


class _ChangedOnlyFile(io.StringIO):
    def __init__(self, tree: OutputTree, rel: str | None):
        super().__init__()
        self._tree, self._rel = tree, rel

    def close(self):
        if not self.closed and self._rel is not None:
            self._tree.write(self._rel, self.getvalue().encode("utf-8"))
        super().close()

    def __exit__(self, *exc):
        if exc[0] is None:
            self.close()
        else:
            super().close()
        return False


class ChangedOnlyWriter(Writer):
    """Pelican's writer, routed through the output tree (Pelican's own pages: /12350/, /about/)."""

    def _open_w(self, filename, encoding, override=False):
        tree = tree_for(self.output_path, self.settings)
        if filename == os.devnull:
            return _ChangedOnlyFile(tree, None)
        rel = os.path.relpath(os.path.realpath(filename), tree.root)
        return _ChangedOnlyFile(tree, rel)
