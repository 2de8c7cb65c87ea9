"""Where things are: the folders and site facts of one project, read from its ``mkdocs.yml``.

Read with a plain YAML loader (``!ENV`` resolved as MkDocs resolves it, other tags ignored), so the
pipeline knows ``docs_dir``, ``site_dir`` and the site's name and address without starting the
engine; the engine glue builds the same :class:`Project` from the engine's own configuration.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..identity import AGENCIES_FILE
from ..settings import Settings, SettingsError, extra_problem, settings_from_dict
from ..sidecar import AliasExpansionError, BoundedAliases


@dataclass(frozen=True)
class Project:
    """One site: its configuration file, settings and folders (absolute paths)."""

    config_file: Path
    settings: Settings
    docs_dir: Path  #: what the engine renders: hand-written pages and, beside them, generated ones
    site_dir: Path  #: where the built site is published
    seeds_dir: Path  #: the raw reports
    reports_dir: Path  #: the report pages, inside docs_dir
    site_name: str
    site_description: str | None
    site_url: str | None
    agencies_file: Path  #: the agency table: ``agencies.yml`` beside the configuration

    @property
    def root(self) -> Path:
        return self.config_file.parent

    @property
    def reports_prefix(self) -> str:
        """The reports folder below docs_dir, e.g. ``reports``."""
        return self.reports_dir.relative_to(self.docs_dir).as_posix()


class _ConfigLoader(BoundedAliases, yaml.SafeLoader):
    """mkdocs.yml as data: ``!ENV`` as MkDocs reads it, ``!!python/name`` and other tags as null."""


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    else:
        values = loader.construct_sequence(node)  # type: ignore[arg-type]  # a !ENV list
        names, default = values[:-1], values[-1] if len(values) > 1 else None
    for name in names:
        if str(name) in os.environ:
            return yaml.safe_load(os.environ[str(name)]) if os.environ[str(name)] else os.environ[str(name)]
    return default


_ConfigLoader.add_constructor("!ENV", _env)
_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def project_of(config_file: Path, settings: Settings, docs_dir: str | Path, site_dir: str | Path,
               site_name: str = "", site_description: str | None = None, site_url: str | None = None) -> Project:
    """A project from its values; raises SettingsError when the folders do not fit together."""
    config_file = config_file.resolve()
    root = config_file.parent
    docs = (root / docs_dir).resolve()
    reports = (root / settings.reports_dir).resolve()
    if reports == docs or docs not in reports.parents:
        raise SettingsError(f"{config_file.name}: extra.reports.reports_dir: 生成页面的目录必须位于 docs_dir"
                            f"（{docs}）之内的子目录，现为 {reports}")
    return Project(config_file, settings, docs, (root / site_dir).resolve(), (root / settings.seeds_dir).resolve(),
                   reports, site_name, site_description, site_url or None, root / AGENCIES_FILE)


def load_project(config_file: Path) -> Project:
    """The project of a ``mkdocs.yml`` (none: the defaults, enough for ``convert`` and ``check``);
    SettingsError names the file and what is wrong."""
    if not config_file.exists():
        return project_of(config_file, Settings(), "docs", "site")
    try:
        config = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_ConfigLoader) or {}
    except OSError as err:
        raise SettingsError(f"找不到网站配置 {config_file}（{err.strerror}）") from err
    except AliasExpansionError as err:  # never print the expansion
        raise SettingsError(f"{config_file.name}: {err.message}") from err
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError) as err:
        raise SettingsError(f"{config_file.name}: YAML 格式错误：{err}") from err
    problem = extra_problem(config, config_file.name)
    if problem:
        raise SettingsError(problem)
    assert isinstance(config, dict)  # extra_problem says so otherwise
    extra = config.get("extra") or {}
    settings = settings_from_dict(extra.get("reports") if isinstance(extra, dict) else None, config_file.name)
    docs_dir, site_dir = str(config.get("docs_dir") or "docs"), str(config.get("site_dir") or "site")
    return project_of(config_file, settings, docs_dir, site_dir,
                      str(config.get("site_name") or ""), config.get("site_description"), config.get("site_url"))
