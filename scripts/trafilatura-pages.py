#!/usr/bin/env python3
"""The yardstick of the page-extraction benchmark: trafilatura's extract() on the pages
make-pages.py wrote, with its default settings and the favor_recall/favor_precision
variants. Run it with the throwaway venv's python (scripts/bench-pages.sh sets it up);
trafilatura is never a dependency of vigie.

Writes DIR/trafilatura.jsonl: {"file", "variant", "text" (null when extract() gave
nothing), "seconds"}; `vigie-bench pages --pages DIR` scores it beside vigie.
"""

import argparse
import json
import os
import sys
import time

import trafilatura

VARIANTS = {
    "default": {},
    "favor_recall": {"favor_recall": True},
    "favor_precision": {"favor_precision": True},
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", required=True, help="the folder make-pages.py wrote (gold.jsonl, pages/)")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    a = ap.parse_args()
    files = [json.loads(line)["file"] for line in open(os.path.join(a.pages, "gold.jsonl"), encoding="utf-8")]
    out_path = os.path.join(a.pages, "trafilatura.jsonl")
    with open(out_path, "w", encoding="utf-8") as out:
        for variant in a.variants.split(","):
            kw = VARIANTS[variant]
            total = 0.0
            for f in files:
                with open(os.path.join(a.pages, "pages", f), encoding="utf-8") as h:
                    page = h.read()
                t = time.perf_counter()
                text = trafilatura.extract(page, **kw)
                dt = time.perf_counter() - t
                total += dt
                out.write(json.dumps({"file": f, "variant": variant, "text": text, "seconds": dt}, ensure_ascii=False) + "\n")
            print(f"trafilatura {trafilatura.__version__} {variant}: {len(files)} pages in {total:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
