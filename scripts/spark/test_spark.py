#!/usr/bin/env python3
"""make test-spark: the Spark job against a plain `vigie ingest` of the same articles.

    scripts/spark/test_spark.py [--vigie PATH] [--shared DIR] [--work DIR] [--runs 1,2,3]

Builds ~300 real articles from ../shared/data (MasakhaNEWS dev, French and English, BBC;
WMT newstest2014 dev documents in French and in English, one the translation of the
other), adds copies of some of them further down the stream (exact and edited: the
dedup's "first copy" depends on the order), a repeated id and three bad records, and:

1. ingests them with `vigie ingest` alone (the reference data directory);
2. starts a standalone cluster of two 1-core workers (scripts/spark/cluster.sh, its own
   run dir and ports), runs scripts/spark/enrich.py over them in 4 partitions and checks
   that the part files hold exactly one line per record, in input order, and that the
   data directory equals the reference: stats, the documents, entities, mentions, stories
   and topics tables, every document's search fields (lang, dup_of, story and topic), the
   stored document (`vigie show --json`) of a sample of them, and the rejects;
3. runs the job again in 6 partitions and, once a task has finished and worker 2 is in
   the middle of another, kills worker 2 with SIGKILL (its JVM, its executor, the
   executor's Python workers and vigie process); the job must still finish (Spark reruns
   the lost tasks on worker 1) with each article once and the same data directory;
4. runs the job over data/samples (feeds, pages, digests and JSON lines interleaved) and
   compares it with `vigie ingest data/samples` the same way.

Exits 1 on any mismatch. Without ../shared, the vigie binary, the encoder or Spark it
skips with a message (exit 0), except with CI set, where it fails.
"""

import argparse
import csv
import datetime
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPTS = os.path.join(ROOT, "scripts", "spark")
UI_PORT = 4071
LINE_FILES = (".jsonl", ".ndjson")  # the driver's UI in this test (its REST API tells when tasks finish)


def log(msg):
    print(f"test-spark: {msg}", flush=True)


def skip_or_fail(msg):
    if os.environ.get("CI"):
        log(f"FAIL: {msg} (CI is set: no skipping)")
        sys.exit(1)
    log(f"SKIP: {msg}")
    sys.exit(0)


class Mismatch(Exception):
    pass


# ---------------------------------------------------------------------------- input


def read_tsv(path, limit):
    csv.field_size_limit(1 << 30)
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t")
        header = next(rows)
        if header[:3] != ["category", "headline", "text"]:
            raise SystemExit(f"test-spark: unexpected header in {path}: {header}")
        out = []
        for row in rows:
            if len(row) >= 4 and row[1].strip() and row[2].strip():
                out.append({"headline": row[1], "text": row[2], "url": row[3]})
            if len(out) == limit:
                break
        return out


def build_input(shared, path):
    """The test's articles, one JSON object a line (article.v1), each with an id; returns
    the ids in order, None where the line is a bad record."""
    recs = []
    for i, r in enumerate(read_tsv(os.path.join(shared, "topics", "fra_dev.tsv"), 100)):
        recs.append({"id": f"mn-fr-{i:03d}", "title": r["headline"], "body": r["text"], "url": r["url"], "source": "BBC Afrique", "lang": "fr"})
    for i, r in enumerate(read_tsv(os.path.join(shared, "topics", "eng_dev.tsv"), 100)):
        recs.append({"id": f"mn-en-{i:03d}", "title": r["headline"], "body": r["text"], "url": r["url"], "source": "BBC News"})
    with open(os.path.join(shared, "crosslingual", "wmt14_fren_dev.jsonl"), encoding="utf-8") as f:
        for line in list(f)[:60]:
            d = json.loads(line)
            recs.append({k: d[k] for k in ("id", "title", "body", "lang") if k in d} | {"source": "WMT newstest"})
    rng = random.Random(15)
    rng.shuffle(recs)
    # copies, each placed after its original: exact ones (another id and source, the
    # same text) and edited ones (the title changed, a sentence added to the body)
    lines = [json.dumps(r, ensure_ascii=False) for r in recs]
    ids = [r["id"] for r in recs]
    for k, j in enumerate(rng.sample(range(len(recs) - 40), 30)):
        orig = recs[j]
        copy = dict(orig, id=f"copy-{k:02d}-{orig['id']}", source="Syndication", url=None)
        if k % 3 == 2:
            copy["title"] = orig["title"] + " (mis à jour)"
            copy["body"] = orig["body"] + "\n\nCet article a été mis à jour."
        copy = {a: b for a, b in copy.items() if b is not None}
        pos = rng.randrange(ids.index(orig["id"]) + 20, len(lines) + 1)
        lines.insert(pos, json.dumps(copy, ensure_ascii=False))
        ids.insert(pos, copy["id"])
    # the same id twice (the second is the "existing" one), and three bad records
    lines.insert(len(lines) - 5, lines[10])
    ids.insert(len(ids) - 5, ids[10])
    for pos, bad in ((50, '{"id": "bad-json", "title": "Le'), (150, '{"id": "bad-empty"}'), (250, '{"id": "bad-body", "title": "Titre", "body": ""}')):
        lines.insert(pos, bad)
        ids.insert(pos, None)
    # dates in input order, 37 minutes apart (the sets have none; without them first and
    # last seen would be the time of ingest, which differs between the two runs)
    start = datetime.datetime(2024, 3, 1, tzinfo=datetime.timezone.utc)
    for k, line in enumerate(lines):
        if line.startswith('{"id": "bad-'):
            continue
        d = json.loads(line)
        d["published"] = (start + datetime.timedelta(minutes=37 * k)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines[k] = json.dumps(d, ensure_ascii=False)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return ids


# ---------------------------------------------------------------------------- vigie


TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})")
STARTED = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def ingest_time_masked(value):
    """Times from this test's own runs (an article without a date is dated by its ingest,
    and the two ingests run minutes apart) become one placeholder; the rest is kept."""
    if isinstance(value, dict):
        return {k: ingest_time_masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [ingest_time_masked(v) for v in value]
    if isinstance(value, str):
        m = TIME.match(value)
        if m and f"{m.group(1)} {m.group(2)}" >= STARTED:
            return "(time of ingest)"
    return value


class Vigie:
    def __init__(self, binary):
        self.binary = binary

    def run(self, data, *args, stdout=subprocess.PIPE):
        cmd = [self.binary, "--data", data, *args]
        p = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE)
        if p.returncode != 0:
            raise Mismatch(f"{' '.join(cmd)} exited with {p.returncode}: {p.stderr.decode(errors='replace').strip()[-500:]}")
        return p.stdout.decode("utf-8") if stdout == subprocess.PIPE else None

    def json_lines(self, data, *args):
        return [json.loads(l) for l in self.run(data, *args).splitlines() if l.strip()]

    def export(self, data, what, tmp):
        out = os.path.join(tmp, f"{what}.ndjson")
        self.run(data, "export", what, "--format", "ndjson", "--out", out, "--quiet")
        with open(out, encoding="utf-8") as f:
            return [json.loads(l) for l in f if l.strip()]

    def snapshot(self, data, tmp, show_sample):
        """What the comparison reads from a data directory, as plain data."""
        os.makedirs(tmp, exist_ok=True)
        snap = {"stats": ingest_time_masked(json.loads(self.run(data, "stats", "--json")))}
        for what in ("documents", "entities", "mentions", "stories", "topics"):
            snap[what] = sorted(json.dumps(ingest_time_masked(r), sort_keys=True, ensure_ascii=False) for r in self.export(data, what, tmp))
        hits = self.json_lines(data, "search", "*", "--json", "--limit", "100000")
        snap["search"] = {h["id"]: ingest_time_masked({k: v for k, v in h.items() if k not in ("score", "snippet")}) for h in hits}
        ids = sorted(snap["search"])
        dups = [i for i in ids if snap["search"][i].get("dup_of")]
        sample = sorted(set(dups[:show_sample // 2] + ids[:: max(1, len(ids) // (show_sample // 2))]))
        # when it was stored differs by construction; where it was read from is the same
        # file and line for a JSON lines record (the job relays them tagged); a whole file
        # (a feed, a page) is enriched from a temporary copy, whose name is not compared
        def shown(i):
            d = json.loads(self.run(data, "show", i, "--json"))
            d.pop("ingested_at", None)
            if not str((d.get("origin") or {}).get("file", "")).endswith(LINE_FILES):
                d.pop("origin", None)
            return ingest_time_masked(d)

        snap["show"] = {i: shown(i) for i in sample}
        rejects = os.path.join(data, "rejects.jsonl")
        snap["rejects"] = []
        if os.path.exists(rejects):
            with open(rejects, encoding="utf-8") as f:
                # why and what, and where for a JSON lines record (see above)
                def where(r):
                    return [r.get("file"), r.get("line")] if str(r.get("file", "")).endswith(LINE_FILES) else None

                snap["rejects"] = sorted(
                    json.dumps({"reason": r.get("reason"), "record": r.get("record"), "origin": where(r)}, sort_keys=True)
                    for r in map(json.loads, f)
                )
        return snap


def compare(ref, got, label):
    problems = []
    for key in ("stats", "documents", "entities", "mentions", "stories", "topics", "search", "rejects"):
        a, b = ref[key], got[key]
        if a == b:
            continue
        if isinstance(a, list):
            set_a, set_b = set(a), set(b)
            only_a = [x for x in a if x not in set_b][:3]
            only_b = [x for x in b if x not in set_a][:3]
            problems.append(f"{key}: {len(a)} rows in the plain ingest, {len(b)} in the Spark run; only plain: {only_a}; only Spark: {only_b}")
        elif key == "search":
            diff = [i for i in sorted(set(a) | set(b)) if a.get(i) != b.get(i)]
            problems.append(f"search: {len(diff)} documents differ, e.g. " + "; ".join(f"{i}: {a.get(i)} vs {b.get(i)}" for i in diff[:3]))
        else:
            problems.append(f"{key}: {a} vs {b}")
    for i, doc in ref["show"].items():
        other = got["show"].get(i)
        if other is None:
            other = "(not in the sample)"
        if doc != other:
            keys = [k for k in set(doc) | set(other if isinstance(other, dict) else {}) if not isinstance(other, dict) or doc.get(k) != other.get(k)]
            problems.append(f"show {i}: fields differ: {sorted(keys)}")
    if problems:
        raise Mismatch(f"{label}: the data directory differs from a plain vigie ingest:\n  " + "\n  ".join(problems))
    s = ref["stats"]
    log(
        f"{label}: same as the plain ingest: {len(ref['search'])} documents, {len(ref['entities'])} entities, {len(ref['stories'])} stories, "
        f"{len(ref['topics'])} topics, {sum(1 for h in ref['search'].values() if h.get('dup_of'))} copies, {len(ref['rejects'])} rejects, "
        f"{len(ref['show'])} stored documents compared whole (stats: {json.dumps(s, sort_keys=True)[:160]})"
    )


def check_parts(out, expected_ids, label):
    """The part files, read in name order: one line per record, the records in input order."""
    parts = sorted(p for p in os.listdir(out) if p.startswith("part-"))
    got = []
    for p in parts:
        with open(os.path.join(out, p), encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                got.append(d["document"]["id"] if d.get("document") else None)
    if got != expected_ids:
        first = next((k for k, (a, b) in enumerate(zip(expected_ids, got)) if a != b), min(len(got), len(expected_ids)))
        raise Mismatch(
            f"{label}: the part files hold {len(got)} lines for {len(expected_ids)} records; first difference at record {first}: "
            f"expected {expected_ids[first] if first < len(expected_ids) else 'end'}, got {got[first] if first < len(got) else 'end'}"
        )
    log(f"{label}: {len(parts)} part files, {len(got)} lines: each record once, in input order")


# ---------------------------------------------------------------------------- Spark


class Cluster:
    def __init__(self, run_dir, env):
        self.env = dict(env, SPARK_RUN_DIR=run_dir, SPARK_MASTER_PORT="7078", SPARK_MASTER_WEBUI_PORT="8092")
        self.run_dir = run_dir

    def cmd(self, *args, check=True):
        return subprocess.run([os.path.join(SCRIPTS, "cluster.sh"), *args], env=self.env, check=check)

    def worker_pid(self, i):
        with open(os.path.join(self.run_dir, f"worker-{i}.pid")) as f:
            return int(f.read())


# fp32 on both sides: with bf16 on AMX (oneDNN's brgemm kernels) an article's states depend
# on the batch it shares with others by about bf16's rounding, and a partition's batches are
# not a plain ingest's (one NER boundary in 69 articles moved in tests/e2e/enrich.rs on such
# a CPU); this test is about what the job stores, not about that rounding
PRECISION = "fp32"


def job_cmd(inputs, out, data, partitions, vigie, summary):
    return [
        os.path.join(SCRIPTS, "submit.sh"),
        "--conf", f"spark.ui.port={UI_PORT}",
        os.path.join(SCRIPTS, "enrich.py"),
        *inputs,
        "--out", out, "--overwrite", "--data", data, "--partitions", str(partitions),
        "--vigie", vigie, "--summary-json", summary, "--precision", PRECISION,
    ]  # fmt: skip


def read_summary(path, label):
    with open(path) as f:
        s = json.load(f)
    if s.get("error"):
        raise Mismatch(f"{label}: {s['error']}")
    return s


def enrich_pids(root):
    """The vigie enrich processes under a worker: its process group and its descendants
    (PySpark's daemon puts its Python workers, whose children they are, in a group of its own)."""
    procs = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{d}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        procs[int(d)] = (int(fields[1]), int(fields[2]), argv)

    def under(pid):
        while pid > 1:
            if pid == root:
                return True
            pid = procs.get(pid, (0,))[0]
        return False

    return [p for p, (_, pgid, argv) in procs.items() if len(argv) > 1 and argv[1] == b"enrich" and (pgid == root or under(p))]


def driver_api(path):
    with urllib.request.urlopen(f"http://127.0.0.1:{UI_PORT}/api/v1/applications", timeout=2) as r:
        app = json.load(r)[0]["id"]
    with urllib.request.urlopen(f"http://127.0.0.1:{UI_PORT}/api/v1/applications/{app}/{path}", timeout=2) as r:
        return json.load(r)


def failed_task_attempts():
    """Task attempts that failed so far (every stage, every attempt), from the driver's REST API."""
    try:
        return sum(st.get("numFailedTasks", 0) for st in driver_api("stages"))
    except (OSError, ValueError, IndexError, KeyError):
        return 0


def save_stage_progress():
    """(finished, running) tasks of the stage that enriches and writes the part files,
    from the driver's REST API; None while that stage has not started."""
    try:
        stages = driver_api("stages?status=active")
    except (OSError, ValueError, IndexError, KeyError):
        return None
    for st in stages:
        # the stage that writes the part files: "runJob at SparkHadoopWriter.scala:NN"
        if "SparkHadoopWriter" in st.get("name", "") or "saveAsTextFile" in st.get("name", ""):
            return st["numCompleteTasks"], st["numActiveTasks"]
    return None


def run_with_kill(cmd, env, cluster, log_path, label):
    """Runs the job; once an enrich task has finished and worker 2 has had a
    vigie process running for 2 s, kills worker 2's whole process group with SIGKILL."""
    with open(log_path, "wb") as logf:
        job = subprocess.Popen(cmd, env=env, stdout=logf, stderr=subprocess.STDOUT)
        root, seen, killed, t0, failed = cluster.worker_pid(2), {}, None, time.time(), 0
        while job.poll() is None:
            if killed is not None:
                failed = max(failed, failed_task_attempts())
            else:
                progress = save_stage_progress()
                now = time.time()
                for pid in enrich_pids(root):
                    seen.setdefault(pid, now)
                busy = [p for p, t in seen.items() if now - t >= 2 and os.path.exists(f"/proc/{p}")]
                if progress and progress[0] >= 1 and busy:
                    cluster.cmd("kill-worker", "2")
                    killed = now - t0
                    log(f"{label}: killed worker 2 at {killed:.1f} s, in the middle of vigie {busy}; "
                        f"{progress[0]} enrich tasks were done, {progress[1]} running")
            time.sleep(0.3)
    with open(log_path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    if job.returncode != 0:
        raise Mismatch(f"{label}: the job failed (exit {job.returncode}) after worker 2 was killed; log {log_path}:\n{text[-2000:]}")
    if killed is None:
        raise Mismatch(f"{label}: the job ended before worker 2 could be killed mid-task (log {log_path})")
    lost = [l for l in text.splitlines() if "Lost executor" in l or "is now LOST" in l or "Lost task" in l or "ExecutorLostFailure" in l]
    if not lost:
        raise Mismatch(f"{label}: the driver's log does not say that it lost worker 2's executor (log {log_path})")
    log(f"{label}: the driver lost the executor ({lost[0].strip()[:160]}) and finished on worker 1; {failed} failed task attempt(s) rerun")
    return text


def run_job(cmd, env, log_path, label):
    with open(log_path, "wb") as logf:
        p = subprocess.run(cmd, env=env, stdout=logf, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            raise Mismatch(f"{label}: the job failed (exit {p.returncode}); log {log_path}:\n{f.read()[-2000:]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vigie", default=os.environ.get("VIGIE", os.path.join(ROOT, "target/debug/vigie")))
    ap.add_argument("--shared", default=os.environ.get("SHARED", os.path.join(ROOT, "../shared/data")))
    ap.add_argument("--work", default=os.path.join(ROOT, "target/spark-test"))
    ap.add_argument("--show-sample", type=int, default=40, help="documents compared whole with vigie show per run")
    ap.add_argument("--runs", default="1,2,3", help="which runs (1: as is, 2: a worker killed, 3: the samples; default all)")
    args = ap.parse_args()
    runs = set(args.runs.split(","))
    t_all = time.time()

    vigie = os.path.abspath(args.vigie)
    if not os.path.isdir(os.path.join(args.shared, "topics")) or not os.path.isdir(os.path.join(args.shared, "crosslingual")):
        skip_or_fail(f"{args.shared}: no shared data (topics/, crosslingual/)")
    if not os.access(vigie, os.X_OK):
        skip_or_fail(f"{vigie}: no vigie binary (cargo build -p vigie)")
    models = os.environ.get("VIGIE_MODELS")
    if not models or not os.path.isdir(models):
        skip_or_fail("VIGIE_MODELS is not an encoder directory (make models)")
    venv = os.environ.get("SPARK_VENV", os.path.join(ROOT, ".tools/venv-spark"))
    if not os.path.exists(os.path.join(venv, "bin", "python")):
        skip_or_fail(f"{venv}: no pyspark venv (scripts/setup-spark.sh)")

    work = os.path.abspath(args.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    articles = os.path.join(work, "articles.jsonl")
    expected = build_input(args.shared, articles)
    log(f"{len(expected)} records ({sum(1 for i in expected if i is None)} bad) in {articles}")

    v = Vigie(vigie)
    if runs & {"1", "2"}:
        t = time.time()
        v.run(os.path.join(work, "plain"), "ingest", "--quiet", "--json", "--precision", PRECISION, articles)
        log(f"plain vigie ingest: {time.time() - t:.1f} s")
        ref = v.snapshot(os.path.join(work, "plain"), os.path.join(work, "snap-plain"), args.show_sample)

    env = dict(os.environ)
    cluster = Cluster(os.path.join(work, "cluster"), env)
    env = cluster.env
    failed = False
    try:
        cluster.cmd("start", "--workers", "2", "--cores", "1")
        if "1" in runs:  # two workers, four partitions
            t = time.time()
            out1, data1 = os.path.join(work, "out-1"), os.path.join(work, "spark-1")
            run_job(job_cmd([articles], out1, data1, 4, vigie, os.path.join(work, "summary-1.json")), env, os.path.join(work, "job-1.log"), "run 1")
            s1 = read_summary(os.path.join(work, "summary-1.json"), "run 1")
            log(f"run 1: 2 workers, 4 partitions: Spark stage {s1['spark_seconds']:.1f} s, ordered stage {s1['ordered_seconds']:.1f} s, job {time.time() - t:.1f} s")
            check_parts(out1, expected, "run 1")
            compare(ref, v.snapshot(data1, os.path.join(work, "snap-1"), args.show_sample), "run 1")

        if "2" in runs:  # worker 2 killed mid-job
            t = time.time()
            out2, data2 = os.path.join(work, "out-2"), os.path.join(work, "spark-2")
            run_with_kill(job_cmd([articles], out2, data2, 6, vigie, os.path.join(work, "summary-2.json")), env, cluster, os.path.join(work, "job-2.log"), "run 2")
            s2 = read_summary(os.path.join(work, "summary-2.json"), "run 2")
            log(f"run 2: job {time.time() - t:.1f} s with worker 2 killed; {s2['output_lines']} lines for {s2['records']} records")
            check_parts(out2, expected, "run 2")
            compare(ref, v.snapshot(data2, os.path.join(work, "snap-2"), args.show_sample), "run 2")
            if "3" in runs:  # worker 1 alone is left: restart the pair for the next run
                cluster.cmd("stop")
                cluster.cmd("start", "--workers", "2", "--cores", "1")

        if "3" in runs:  # the bundled samples: feeds, pages, digests and JSON lines interleaved
            t = time.time()
            samples = os.path.join(ROOT, "data", "samples")
            v.run(os.path.join(work, "plain-samples"), "ingest", "--quiet", "--json", "--precision", PRECISION, samples)
            ref_s = v.snapshot(os.path.join(work, "plain-samples"), os.path.join(work, "snap-plain-samples"), args.show_sample)
            out3, data3 = os.path.join(work, "out-3"), os.path.join(work, "spark-3")
            run_job(job_cmd([samples], out3, data3, 3, vigie, os.path.join(work, "summary-3.json")), env, os.path.join(work, "job-3.log"), "samples")
            read_summary(os.path.join(work, "summary-3.json"), "samples")
            compare(ref_s, v.snapshot(data3, os.path.join(work, "snap-3"), args.show_sample), "samples")
            log(f"samples: {time.time() - t:.1f} s")
    except Mismatch as e:
        failed = True
        log(f"FAIL: {e}")
    finally:
        cluster.cmd("stop", check=False)
    if failed:
        sys.exit(1)
    log(f"passed in {time.time() - t_all:.0f} s")


if __name__ == "__main__":
    main()
