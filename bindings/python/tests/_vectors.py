# SPDX-License-Identifier: MIT
"""Reads the known-answer vector files shared with the C tests (tests/vectors/*.txt)."""
import os
import pathlib
from typing import Dict, List

ROOT = pathlib.Path(os.environ.get("PREPAY_SOURCE_ROOT") or pathlib.Path(__file__).resolve().parents[3])
VECTORS = ROOT / "tests" / "vectors"
EXAMPLES = ROOT / "examples"


def records(name: str) -> List[Dict[str, str]]:
    """Records of a vector file: '[section]' starts one, 'key = value' lines fill it; '#' lines are comments."""
    out: List[Dict[str, str]] = []
    current = None
    for raw in (VECTORS / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = {"_section": line[1:-1]}
            out.append(current)
            continue
        if current is not None and "=" in line:
            key, _, value = line.partition("=")
            current[key.strip()] = value.strip()
    return out


def hexbytes(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", "")) if text else b""
