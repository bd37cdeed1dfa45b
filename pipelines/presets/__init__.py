"""Presets: the mapping files (and their lookup tables) for the exports of the tools teams use,
shipped with the package as files a user can read and edit (README "Loading your exports").

Each preset is a folder here: `preset.yml` (a description and the exports it reads), mapping
files (`*.yml`, each recognising its files by a header signature) and `lookups/*.csv`.
`install` copies them into `<data dir>/mappings/` and `<data dir>/lookups/`, and keeps in
`mappings/.presets.json` what it wrote, so a file the user has edited since is never replaced
without `force`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

PRESETS_DIR = Path(__file__).parent
STATE_FILE = ".presets.json"  # in <data dir>/mappings/; hidden, so no mapping loader reads it
ABOUT_FILE = "preset.yml"


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    exports: tuple[str, ...]  # what each mapping reads, as the preset says it
    files: tuple[tuple[str, Path], ...]  # (path relative to the data dir, shipped file)


def available() -> dict[str, Preset]:
    return {p.name: p for p in map(_preset, sorted(PRESETS_DIR.glob(f"*/{ABOUT_FILE}")))}


def _preset(about: Path) -> Preset:
    folder = about.parent
    text = yaml.safe_load(about.read_text(encoding="utf-8"))
    mappings = [p for p in sorted(folder.glob("*.yml")) if p.name != ABOUT_FILE]
    lookups = sorted((folder / "lookups").glob("*.csv"))
    files = [(f"mappings/{p.name}", p) for p in mappings]
    files += [(f"lookups/{p.name}", p) for p in lookups]
    return Preset(folder.name, str(text["description"]).strip(),
                  tuple(str(e) for e in text.get("exports", [])), tuple(files))


@dataclass(frozen=True)
class Installed:
    """What `install` did with each file: written, unchanged (already the preset's), or kept
    (the user's own or edited since it was installed; `force` replaces it)."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    kept: tuple[str, ...]


def install(names: list[str], data_dir: Path, force: bool = False) -> Installed:
    presets = available()
    unknown = [n for n in names if n not in presets]
    if unknown:
        raise KeyError(f"no preset named {', '.join(unknown)}; the presets: {', '.join(presets)}")
    state_path = data_dir / "mappings" / STATE_FILE
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    written, unchanged, kept = [], [], []
    for name in dict.fromkeys(names):
        for relative, shipped in presets[name].files:
            content = shipped.read_bytes()
            target = data_dir / relative
            current = target.read_bytes() if target.exists() else None
            if current == content:
                unchanged.append(relative)
            elif current is None or force or state.get(relative) == _digest(current):
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
                written.append(relative)
            else:
                kept.append(relative)
                continue
            state[relative] = _digest(content)
    state_path.parent.mkdir(parents=True, exist_ok=True)
    state_path.write_text(json.dumps(dict(sorted(state.items())), indent=2) + "\n")
    return Installed(tuple(written), tuple(unchanged), tuple(kept))


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
