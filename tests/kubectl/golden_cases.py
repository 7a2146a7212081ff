"""Shared helpers for the golden-file tests: where the goldens are and how to load them."""

from __future__ import annotations

import json
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"


def golden(name: str) -> str:
    return (GOLDEN / name).read_text()


def golden_or_empty(name: str) -> str:
    path = GOLDEN / name
    return path.read_text() if path.exists() else ""


def golden_json(name: str) -> dict:
    return json.loads((GOLDEN / name).read_text())
