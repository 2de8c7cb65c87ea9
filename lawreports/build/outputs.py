"""Writing the generated files into the folder the engine renders, without ever losing a hand edit.

Every file the pipeline writes below a folder (``docs_dir`` for a build, ``--out`` for ``convert``)
is listed with the SHA-256 of its bytes, and the raw file it belongs to, in the folder's manifest
``.lawreports-generated.json`` (a dot file: MkDocs does not publish it). A file is thus of one of
three kinds, and each is treated as such:

* **generated and intact** (its bytes are what the manifest says, or it is a report page whose
  ``content_sha256`` still matches): rewritten only when its bytes change, removed when nothing
  generates it any more — except the pages of a raw file that failed this time (never lost);
* **generated, then edited by hand**: never overwritten without ``force``, never removed;
* **not generated** (a hand-written page in the way): never touched.

Files are replaced atomically (``os.replace``): a reader never sees half a file. An unchanged
build writes nothing (``mkdocs serve`` would otherwise rebuild for ever).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Diagnostic
from ..render import content_hash
from ..site.generated import Generated

MANIFEST = ".lawreports-generated.json"
CONTENT_HASH = re.compile(r"^content_sha256: \"?([0-9a-f]{64})\"?$", re.MULTILINE)
GENERATED_MARK = re.compile(r"^generator: \"?lawreports\b", re.MULTILINE)  # quoted since JSON values


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def page_kind(data: bytes) -> str:
    """A page's bytes → ``intact`` (generated, unedited), ``edited`` or ``foreign`` (never generated)."""
    try:
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        return "foreign"
    head = text[: text.find("\n---\n", 3) + 1] if text.startswith("---\n") else ""
    if not GENERATED_MARK.search(head):
        return "foreign"
    found = CONTENT_HASH.search(head)
    return "intact" if found and found.group(1) == content_hash(text) else "edited"


@dataclass
class OutputFiles:
    """The generated files of one folder, as one run writes them (see the module docstring)."""

    root: Path
    force: bool = False
    diagnostics: list[Diagnostic] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)  #: raw files one of whose outputs was refused
    previous: dict[str, list[str | None]] = field(default_factory=dict)  #: uri → [sha256, raw file]
    current: dict[str, list[str | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        try:
            data = json.loads((self.root / MANIFEST).read_text(encoding="utf-8"))
            self.previous = {str(k): [v[0], v[1]] for k, v in data["files"].items()}
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            self.previous = {}  # none yet, or unreadable: files on disk are judged by their content

    def put(self, item: Generated, owner: str | None = None, known_sha256: str | None = None) -> bool:
        """Write one file unless a guard refuses it (False; a finding names the file and what to do).
        ``owner``: the raw file it belongs to. ``known_sha256``: the bytes' hash when ``item`` is a copy
        of a file already hashed (a raw report): an unchanged copy is then not read at all."""
        if item.uri.startswith("/") or "\\" in item.uri or any(p in ("", ".", "..") for p in item.uri.split("/")):
            return self._refuse(item.uri, owner, "write-failed", f"{item.uri} 不在网站目录之内，未写入")
        target = self.root / item.uri
        before = self.previous.get(item.uri)
        if known_sha256 is not None and before and before[0] == known_sha256 and target.is_file():
            self.current[item.uri] = [known_sha256, owner]
            self.unchanged += 1
            return True
        data = self._bytes(item)
        digest = sha256(data)
        try:
            existing = target.read_bytes()
        except FileNotFoundError:
            existing = None
        except OSError as err:
            return self._refuse(item.uri, owner, "write-failed", f"无法读取 {item.uri}：{err.strerror or err}")
        if existing is not None:
            if existing == data:
                self.current[item.uri] = [digest, owner]
                self.unchanged += 1
                return True
            kind = self._kind(item.uri, existing, before)
            if kind == "foreign":
                return self._refuse(item.uri, owner, "page-not-generated",
                                    f"{self.root.name}/{item.uri} 不是本工具生成的文件，未覆盖；请移走该文件，"
                                    "或在 .meta.yml 中为本报告设置其他 slug")
            if kind == "edited" and not self.force:
                stem = Path(owner).stem if owner else ""
                advice = f"更正请写入 {stem}.meta.yml，" if owner else ""
                return self._refuse(item.uri, owner, "hand-edited",
                                    f"{self.root.name}/{item.uri} 已被手工修改，未覆盖；"
                                    f"{advice}或确认后用 --force 覆盖")
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(data)
            os.replace(temporary, target)
        except OSError as err:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)  # no half-written leftover beside the page
            return self._refuse(item.uri, owner, "write-failed", f"无法写入 {item.uri}：{err.strerror or err}")
        self.current[item.uri] = [digest, owner]
        self.written.append(item.uri)
        return True

    @staticmethod
    def _bytes(item: Generated) -> bytes:
        if item.source is not None:
            return item.source.read_bytes()
        content = item.content if item.content is not None else ""
        return content.encode("utf-8") if isinstance(content, str) else content

    @staticmethod
    def _kind(uri: str, existing: bytes, before: list[str | None] | None) -> str:
        if before is not None:
            if before[1] is not None and uri.endswith(".md") and page_kind(existing) == "foreign":
                return "foreign"  # a report page replaced by a hand-written one: not ours any more
            return "intact" if sha256(existing) == before[0] else "edited"
        return page_kind(existing) if uri.endswith(".md") else "foreign"

    def _refuse(self, uri: str, owner: str | None, code: str, message: str) -> bool:
        self.diagnostics.append(Diagnostic(owner or uri, None, "error", code, message))
        if owner:
            self.refused.add(owner)
        if uri in self.previous:  # still ours, as it is
            self.current[uri] = self.previous[uri]
        return False

    def finish(self, keep_owners: set[str]) -> None:
        """Remove what no longer has a source (unless edited by hand, or its raw file failed this
        time), then save the manifest when it changed."""
        emptied: set[Path] = set()
        for uri, (digest, owner) in sorted(self.previous.items()):
            if uri in self.current:
                continue
            if owner is not None and owner in keep_owners:
                self.current[uri] = [digest, owner]  # a good page is never lost to a failed run
                continue
            target = self.root / uri
            try:
                existing = target.read_bytes()
            except FileNotFoundError:
                continue
            except OSError:
                existing = b""
            if sha256(existing) != digest:
                self.current[uri] = [digest, owner]
                self.diagnostics.append(Diagnostic(owner or uri, None, "warning", "stale-edited-page",
                                                   f"{uri} 已不再生成，但有手工修改，未删除；如不再需要请手工删除"))
                continue
            try:
                target.unlink()
            except OSError as err:
                self.diagnostics.append(Diagnostic(owner or uri, None, "warning", "remove-failed",
                                                   f"无法删除过时文件 {uri}：{err.strerror or err}"))
                self.current[uri] = [digest, owner]
                continue
            self.removed.append(uri)
            emptied.add(target.parent)
        for directory in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
            while directory != self.root and self.root in directory.parents:
                try:
                    directory.rmdir()  # only when empty
                except OSError:
                    break
                directory = directory.parent
        self._save()

    def _save(self) -> None:
        text = json.dumps({"files": dict(sorted(self.current.items()))}, ensure_ascii=False,
                          separators=(",", ":")) + "\n"
        target = self.root / MANIFEST
        data = text.encode("utf-8")
        try:
            if target.is_file() and target.read_bytes() == data:
                return
            if not self.current and not target.exists():
                return
            self.root.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f"{MANIFEST}.{os.getpid()}.tmp")
            temporary.write_bytes(data)
            os.replace(temporary, target)
        except OSError:
            pass  # next run judges the files by their content
