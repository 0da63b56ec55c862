"""Regenerate the stored summary figures of the demo twin (tests/data/demo_twin_summary.json).

The end-to-end regression test (tests/test_demo_twin.py) builds the demo twin and compares its
summary with these stored figures. After a reviewed change that moves them on purpose, run::

    python scripts/regenerate_demo_summary.py

and commit the new JSON together with the change.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.demo_summary import build_demo_twin, twin_summary  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        twin, _ = build_demo_twin(Path(tmp))
    out = ROOT / "tests" / "data" / "demo_twin_summary.json"
    out.write_text(json.dumps(twin_summary(twin), indent=2, sort_keys=True) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
