#!/usr/bin/env python3
"""Side-by-side enrichment benchmark: corpus preparation, the spaCy side and the report.

Driven by scripts/bench-enrich.sh; standard library only, except `spacy-run`, which
imports spaCy (only this benchmark uses spaCy, from a throwaway venv; never the project).

Subcommands
  prepare     --shared DIR --out DIR --limit-fr N --limit-en N
              writes OUT/fr.jsonl, OUT/en.jsonl (vigie's article input shape) and
              OUT/corpus.json (articles and words per corpus, computed once here).
  spacy-run   --model NAME --procs P --corpus fr|en --out DIR [--batch-size 16]
              loads NAME (full pipeline), runs nlp.pipe over title + "\\n" + body and
              writes OUT/results/<corpus>-spacy-<P>.json. Run it in its own process:
              the peak RSS it reports is ru_maxrss of itself plus its children.
  vigie-result --corpus fr|en --out DIR --label TEXT --summary F --time F [--mentions F]
              turns vigie's `ingest --json` summary, /usr/bin/time -f '%e %M' output and
              `export mentions --format csv` into OUT/results/<corpus>-vigie.json.
  report      --out DIR --vigie-args TEXT
              prints the markdown table, writes OUT/report.md and OUT/report.json.
"""

import argparse
import csv
import datetime as dt
import glob
import html
import json
import os
import platform
import re
import subprocess
import sys
import time

# ---------------------------------------------------------------------------
# corpus preparation


def words_of(article):
    """The word count used for both tools: whitespace-split title + newline + body."""
    return len(text_of(article).split())


def text_of(article):
    return article["title"] + "\n" + article["body"]


def french_articles(shared, limit):
    out, seen = [], set()
    tsv = os.path.join(shared, "topics", "fra_dev.tsv")
    csv.field_size_limit(1 << 30)
    with open(tsv, encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t")
        header = next(rows)
        if [h.strip().lower() for h in header[:4]] != ["category", "headline", "text", "url"]:
            sys.exit(f"bench-enrich: unexpected header in {tsv}: {header}")
        for i, row in enumerate(rows, 1):
            if len(out) >= limit:
                return out
            if len(row) < 4:
                continue
            title, body = row[1].strip(), row[2].strip()
            if not body:
                continue
            aid = f"masakhanews-fra-dev-{i}"
            seen.add(aid)
            out.append({"id": aid, "title": title, "body": body, "source": "bbc-afrique (masakhanews)"})
    wmt = os.path.join(shared, "crosslingual", "wmt14_fren_dev.jsonl")
    with open(wmt, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if len(out) >= limit:
                break
            if not line.strip():
                continue
            d = json.loads(line)
            if d.get("lang") != "fr":
                continue
            title, body = (d.get("title") or "").strip(), (d.get("body") or "").strip()
            if not body:
                continue
            aid = d.get("id") or f"wmt14-fr-{n}"
            while aid in seen:
                aid += "-b"
            seen.add(aid)
            out.append({"id": aid, "title": title, "body": body, "source": "wmt14 newstest (fr)"})
    return out


REUTERS_BLOCK = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
NEWID = re.compile(r'NEWID="(\d+)"')
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _tag(block, name):
    m = re.search(rf"<{name}>(.*?)</{name}>", block, re.S)
    return m.group(1) if m else ""


def _clean(s):
    return CONTROL.sub("", html.unescape(s))


def _reuters_body(raw):
    body = _clean(raw).strip()
    body = re.sub(r"\s*\bReuter\s*$", "", body, flags=re.I)
    # hard-wrapped lines; a paragraph starts on a line indented by spaces
    paras = re.split(r"\n[ \t]+", body)
    paras = [re.sub(r"\s*\n\s*", " ", p).strip() for p in paras]
    return "\n".join(p for p in paras if p)


def _reuters_date(raw):
    m = re.match(r"\s*(\d{1,2}-[A-Za-z]{3}-\d{4} \d{1,2}:\d{2}:\d{2})", raw)
    if not m:
        return None
    try:
        d = dt.datetime.strptime(m.group(1), "%d-%b-%Y %H:%M:%S")
    except ValueError:
        return None
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def english_articles(shared, limit):
    out = []
    files = sorted(glob.glob(os.path.join(shared, "corpus", "reuters21578", "reut2-*.sgm")))
    if not files:
        sys.exit(f"bench-enrich: no reut2-*.sgm under {shared}/corpus/reuters21578")
    for path in files:
        with open(path, encoding="latin-1") as f:
            sgml = f.read()
        for m in REUTERS_BLOCK.finditer(sgml):
            if len(out) >= limit:
                return out
            attrs, block = m.group(1), m.group(2)
            body = _reuters_body(_tag(block, "BODY"))
            if len(body) <= 500:
                continue
            nid = NEWID.search(attrs)
            art = {
                "id": f"reuters-{nid.group(1) if nid else len(out) + 1}",
                "title": re.sub(r"\s+", " ", _clean(_tag(block, "TITLE"))).strip(),
                "body": body,
                "source": "reuters-21578",
            }
            published = _reuters_date(_tag(block, "DATE"))
            if published:
                art["published"] = published
            out.append(art)
    return out


def cmd_prepare(a):
    os.makedirs(a.out, exist_ok=True)
    meta = {}
    for corpus, arts, origin in (
        ("fr", french_articles(a.shared, a.limit_fr), "MasakhaNEWS fra_dev.tsv, then WMT14 newstest fr"),
        ("en", english_articles(a.shared, a.limit_en), "Reuters-21578, bodies > 500 chars, file order"),
    ):
        ids = [x["id"] for x in arts]
        assert len(ids) == len(set(ids)), f"duplicate ids in {corpus}"
        path = os.path.join(a.out, f"{corpus}.jsonl")
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            for x in arts:
                f.write(json.dumps(x, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
        words = sum(words_of(x) for x in arts)
        chars = sum(len(text_of(x)) for x in arts)
        sources = {}
        for x in arts:
            sources[x["source"]] = sources.get(x["source"], 0) + 1
        meta[corpus] = {"file": path, "articles": len(arts), "words": words, "chars": chars,
                        "sources": sources, "origin": origin}
        print(f"{corpus}: {len(arts)} articles, {words} words -> {path}", file=sys.stderr)
    with open(os.path.join(a.out, "corpus.json"), "w") as f:
        json.dump(meta, f, indent=2)


def read_articles(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# ---------------------------------------------------------------------------
# spaCy side (its own process per run)


def peak_rss_mb():
    import resource
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ch = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (me + ch) / 1024.0, me / 1024.0, ch / 1024.0  # Linux: KB


def cmd_spacy_run(a):
    t_start = time.perf_counter()
    import multiprocessing
    import spacy

    meta = json.load(open(os.path.join(a.out, "corpus.json")))[a.corpus]
    arts = read_articles(meta["file"])
    texts = [text_of(x) for x in arts]
    t0 = time.perf_counter()
    nlp = spacy.load(a.model)
    load_s = time.perf_counter() - t0

    labels, ents, docs = {}, 0, 0
    t0 = time.perf_counter()
    for doc in nlp.pipe(texts, batch_size=a.batch_size, n_process=a.procs):
        docs += 1
        ents += len(doc.ents)
        for e in doc.ents:
            labels[e.label_] = labels.get(e.label_, 0) + 1
    seconds = time.perf_counter() - t0
    for p in multiprocessing.active_children():
        p.join()
    wall = time.perf_counter() - t_start
    rss, rss_self, rss_children = peak_rss_mb()
    assert docs == len(texts), (docs, len(texts))

    m = nlp.meta
    procs = "1 proc" if a.procs == 1 else f"{a.procs} procs"
    res = {
        "corpus": a.corpus,
        "tool": f"spaCy {m.get('lang')}_{m.get('name')} {m.get('version')} {procs}",
        "kind": "spacy",
        "model": a.model,
        "spacy_version": spacy.__version__,
        "pipeline": list(nlp.pipe_names),
        "n_process": a.procs,
        "batch_size": a.batch_size,
        "articles": docs,
        "words": meta["words"],
        "seconds": seconds,
        "load_seconds": load_s,
        "wall_seconds": wall,
        "peak_rss_mb": rss,
        "peak_rss_self_mb": rss_self,
        "peak_rss_children_mb": rss_children,
        "entities": ents,
        "entity_labels": dict(sorted(labels.items(), key=lambda kv: -kv[1])),
    }
    write_result(a.out, f"{a.corpus}-spacy-{a.procs}", res)


# ---------------------------------------------------------------------------
# vigie side (the shell script runs the binary; this reads what it left)


def cmd_vigie_result(a):
    meta = json.load(open(os.path.join(a.out, "corpus.json")))[a.corpus]
    summary = None
    with open(a.summary) as f:
        for line in f:  # the summary is one JSON object; take the last object line
            line = line.strip()
            if line.startswith("{"):
                summary = json.loads(line)
    if summary is None:
        sys.exit(f"bench-enrich: no JSON summary in {a.summary}")
    elapsed = rss_kb = None
    with open(a.time) as f:
        for line in f:  # /usr/bin/time -f '%e %M' writes its line last
            parts = line.split()
            if len(parts) == 2:
                try:
                    elapsed, rss_kb = float(parts[0]), int(parts[1])
                except ValueError:
                    pass
    if elapsed is None:
        sys.exit(f"bench-enrich: no '%e %M' line in {a.time}")
    mentions = labels = None
    if a.mentions and os.path.exists(a.mentions):
        mentions, labels = 0, {}
        with open(a.mentions, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                n = int(float(row.get("mentions") or 0))
                mentions += n
                t = row.get("type") or "other"
                labels[t] = labels.get(t, 0) + n
        labels = dict(sorted(labels.items(), key=lambda kv: -kv[1]))
    if summary.get("read") != meta["articles"]:
        print(f"bench-enrich: warning: vigie read {summary.get('read')} of {meta['articles']} {a.corpus} articles",
              file=sys.stderr)
    res = {
        "corpus": a.corpus,
        "tool": a.label,
        "kind": "vigie",
        "articles": summary.get("read", meta["articles"]),
        "indexed": summary.get("indexed"),
        "duplicates": summary.get("duplicates"),
        "rejected": summary.get("rejected"),
        "words": meta["words"],
        "seconds": float(summary.get("seconds") or elapsed),
        "wall_seconds": elapsed,
        "peak_rss_mb": rss_kb / 1024.0,
        "entities": mentions,
        "entity_labels": labels,
        "summary": summary,
    }
    write_result(a.out, f"{a.corpus}-vigie", res)


def write_result(out, name, res):
    d = os.path.join(out, "results")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name + ".json"), "w") as f:
        json.dump(res, f, indent=2, ensure_ascii=False)


# ---------------------------------------------------------------------------
# report

FLAGS = ["avx2", "avx512f", "avx512_bf16", "avx512_vnni", "avx_vnni", "amx_bf16", "amx_int8"]


def machine():
    model, flags = None, set()
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in lscpu.splitlines():
            k, _, v = line.partition(":")
            if k.strip() == "Model name" and model is None:
                model = v.strip()
            elif k.strip() == "Flags":
                flags = set(v.split())
    except (OSError, subprocess.CalledProcessError):
        pass
    if model is None or not flags:
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    k, _, v = line.partition(":")
                    if k.strip() == "model name" and model is None:
                        model = v.strip()
                    elif k.strip() == "flags" and not flags:
                        flags = set(v.split())
        except OSError:
            pass
    model = model or platform.processor() or "unknown"
    try:
        nproc = int(subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip())
    except (OSError, ValueError):
        nproc = os.cpu_count()
    return {"cpu": model, "flags": [f for f in FLAGS if f in flags], "nproc": nproc}


def fmt(v, digits):
    return "n/a" if v is None else f"{v:,.{digits}f}"


def cmd_report(a):
    corpus = json.load(open(os.path.join(a.out, "corpus.json")))
    results = []
    for c in ("fr", "en"):
        names = [f"{c}-vigie"] + sorted(
            (os.path.basename(p)[:-5] for p in glob.glob(os.path.join(a.out, "results", f"{c}-spacy-*.json"))),
            key=lambda n: int(n.rsplit("-", 1)[1]))
        for n in names:
            p = os.path.join(a.out, "results", n + ".json")
            if os.path.exists(p):
                results.append(json.load(open(p)))
    rows = []
    for r in results:
        s = r["seconds"]
        r["articles_per_s"] = r["articles"] / s if s else None
        r["words_per_s"] = r["words"] / s if s else None
        r["entities_per_article"] = (r["entities"] / r["articles"]) if r.get("entities") is not None and r["articles"] else None
        rows.append([r["corpus"], r["tool"], f"{r['articles']:,}", f"{r['words']:,}", fmt(s, 2),
                     fmt(r["articles_per_s"], 2), fmt(r["words_per_s"], 0), fmt(r.get("wall_seconds"), 2),
                     fmt(r["peak_rss_mb"], 0), fmt(r["entities_per_article"], 2)])
    m = machine()
    head = ["corpus", "tool", "articles", "words", "seconds", "articles/s", "words/s", "wall s",
            "peak RSS MB", "entities/article"]
    lines = [
        "# vigie vs spaCy: enrichment benchmark",
        "",
        f"- date: {dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- CPU: {m['cpu']}; flags: {' '.join(m['flags']) or 'none of ' + ', '.join(FLAGS)}; nproc: {m['nproc']}",
    ]
    for c in ("fr", "en"):
        if c in corpus:
            cm = corpus[c]
            lines.append(f"- {c}: {cm['articles']} articles, {cm['words']:,} words ({cm['origin']})")
    lines += [
        "- seconds: processing only (vigie: the `ingest --json` summary `seconds`; spaCy: the "
        "`nlp.pipe` loop, batch_size 16); wall s: the whole process (vigie: /usr/bin/time %e, "
        "model load, index commit and stories included; spaCy: import + `spacy.load` + pipe)",
        "- peak RSS: vigie /usr/bin/time %M; spaCy ru_maxrss of the process + ru_maxrss of its "
        "children (the largest reaped worker)",
        "- entities/article: vigie mention count (`export mentions`, sum of `mentions`); spaCy "
        "`len(doc.ents)`, all labels of the model (en_core_web_sm counts DATE, CARDINAL, MONEY, ...)",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "|".join("---" if i < 2 else "---:" for i in range(len(head))) + "|",
    ]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    with open(os.path.join(a.out, "report.md"), "w") as f:
        f.write(text)
    with open(os.path.join(a.out, "report.json"), "w") as f:
        json.dump({"machine": m, "corpus": corpus, "vigie_args": a.vigie_args, "rows": results}, f,
                  indent=2, ensure_ascii=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--shared", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--limit-fr", type=int, default=200)
    p.add_argument("--limit-en", type=int, default=200)
    p.set_defaults(fn=cmd_prepare)
    p = sub.add_parser("spacy-run")
    p.add_argument("--model", required=True)
    p.add_argument("--procs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--corpus", choices=["fr", "en"], required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(fn=cmd_spacy_run)
    p = sub.add_parser("vigie-result")
    p.add_argument("--corpus", choices=["fr", "en"], required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--label", required=True)
    p.add_argument("--summary", required=True)
    p.add_argument("--time", required=True)
    p.add_argument("--mentions")
    p.set_defaults(fn=cmd_vigie_result)
    p = sub.add_parser("report")
    p.add_argument("--out", required=True)
    p.add_argument("--vigie-args", default="")
    p.set_defaults(fn=cmd_report)
    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
