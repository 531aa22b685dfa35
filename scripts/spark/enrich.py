"""vigie on Apache Spark: the stateless enrichment fanned out, the ordered stages on one machine.

    spark-submit [--master spark://HOST:7077] scripts/spark/enrich.py INPUT ... --out OUTDIR \\
        [--data DATA] [--partitions N] [--vigie PATH] [--models DIR] [--lib DIR] [--ship]

1. Reads the articles: JSON lines files (.jsonl, .ndjson; article.v1 or any shape `vigie
   ingest` reads) are split by line and spread over N partitions; any other file (feeds,
   pages, digests, text) is one record, enriched whole by one task. Local inputs are walked
   as `vigie ingest` walks them (directories recursively, names sorted, hidden entries
   skipped), so the order is the one a plain ingest sees; other URIs (hdfs://, s3a://) are
   read by Hadoop as JSON lines, in the order the file system lists them.
2. Numbers every record in input order, cuts the sequence into N contiguous ranges and
   streams each range, in order, through one `vigie enrich` process (RDD.pipe): one model
   load per partition, one enriched.v1 line per record.
3. Writes the enriched part files (saveAsTextFile): part-00000, part-00001, ... read in
   name order are the input order. It checks that the output has exactly one line per
   input record (a task that Spark retried after a lost executor included).
4. On the driver, runs the ordered stages with no model: `vigie --data DATA ingest
   --enriched OUTDIR` (existing ids, dedup, stories, topics, commit, alerts), which sees
   the articles in input order, so "first copy" and story ids are those of a plain ingest.

The executors find vigie, the encoder directory and libtorch's libraries at --vigie,
--models and --lib (paths on the executors; the defaults are this machine's: VIGIE,
VIGIE_MODELS, the libtorch entry of LD_LIBRARY_PATH; a relative path that exists here is
made absolute, except ./NAME: what --files/--archives unpack in each executor's working
directory), else in their own environment (spark.executorEnv.VIGIE_MODELS,
spark.executorEnv.LD_LIBRARY_PATH). --ship sends them
with the job instead, as on a cluster without a shared file system: the binary by
spark.files, the encoder directory and libtorch's lib directory as tar archives by
spark.archives (unpacked in each executor's working directory as ./models and
./libtorch). Prints a summary: records, rejects, seconds and articles/s of the Spark
stage and of the ordered stage (--summary-json FILE writes it as JSON too).
"""

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time

LINE_EXTENSIONS = (".jsonl", ".ndjson")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fail(msg):
    print(f"spark-enrich: {msg}", file=sys.stderr)
    sys.exit(1)


def is_remote(path):
    return "://" in path and not path.startswith("file://")


def local_path(path):
    return path[len("file://") :] if path.startswith("file://") else path


def walk(top):
    """The regular files under `top` in `vigie ingest`'s order: depth first, names sorted
    (bytewise, as Rust sorts paths), hidden entries skipped, symlink loops ended."""
    out, seen = [], set()

    def visit(path):
        try:
            st = os.stat(path)
        except OSError as e:
            fail(f"{path}: {e.strerror.lower()}")
        if os.path.isdir(path):
            key = (st.st_dev, st.st_ino)
            if key in seen:
                return
            seen.add(key)
            if os.path.exists(os.path.join(path, "vigie.json")) or os.path.isdir(os.path.join(path, "index")):
                return  # a vigie data directory is not input (as in `vigie ingest`)
            for name in sorted(os.listdir(path), key=os.fsencode):
                if not name.startswith("."):
                    visit(os.path.join(path, name))
        elif os.path.isfile(path):
            out.append(os.path.abspath(path))

    visit(top)
    return out


class ExecutorEnv(dict):
    """The environment of each vigie process: the executor's own (where
    spark.executorEnv.* lands), with the job's settings on top. RDD.pipe passes its `env`
    as the whole environment, and builds it on the driver; this one is rebuilt from the
    executor's os.environ when the task is unpickled there."""

    def __init__(self, overrides):
        super().__init__(os.environ, **overrides)
        self.overrides = overrides

    def __reduce__(self):
        return (ExecutorEnv, (self.overrides,))


def enrich_command(vigie, precision, extra, inputs):
    return [vigie, "enrich", "--quiet", "--precision", precision, *extra, *inputs]


def run_enrich(cmd, env, lines):
    """Streams `lines` through one `cmd` process and yields its output lines: a thread
    writes while the caller reads, so neither side waits on a full pipe."""
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def feed():
        try:
            for line in lines:
                proc.stdin.write(line.rstrip("\n").encode("utf-8") + b"\n")
        except BrokenPipeError:
            pass  # vigie stopped early: its exit code says why
        finally:
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    for raw in proc.stdout:
        yield raw.rstrip(b"\n").decode("utf-8")
    writer.join()
    if proc.wait() != 0:
        raise RuntimeError(f"{shlex.join(cmd)} exited with code {proc.returncode} (its stderr is in the executor's log)")


def tagged_lines(lines, name):
    """The records of one JSON lines file as `("line", "NAME<TAB>LINE<TAB>RECORD")`, LINE
    counted from 1 over every line of the file: `vigie enrich --format jsonl-tagged` then
    names the file and line in each origin and reject, as a plain ingest of the file does.
    Blank lines are no record (as in `vigie ingest`); a BOM opening the file is dropped."""

    def tag(kv):
        line, i = kv
        if i == 0:
            line = line.lstrip("\ufeff")
        return ("line", f"{name}\t{i + 1}\t{line}")

    # blank as vigie's reader means it: ASCII whitespace only
    blank = lambda kv: kv[0].lstrip("\ufeff" if kv[1] == 0 else "").strip(" \t\n\x0c\r") == ""
    return lines.zipWithIndex().filter(lambda kv: not blank(kv)).map(tag)


def enrich_mixed(vigie, precision, extra, env):
    """The partition function when some inputs are whole files: consecutive JSON lines
    go through one `vigie enrich --format jsonl-tagged -`, consecutive files through one
    `vigie enrich --format auto FILE ...` (copied to a temporary directory under their
    own names, numbered to keep their order)."""

    def run(records):
        out_lines = []  # one partition's output, in order
        pending_kind, pending = None, []

        def flush():
            if not pending:
                return
            if pending_kind == "line":
                cmd = enrich_command(vigie, precision, extra + ["--format", "jsonl-tagged"], ["-"])
                out_lines.extend(run_enrich(cmd, env, pending))
            else:
                with tempfile.TemporaryDirectory(prefix="vigie-enrich-") as tmp:
                    paths = []
                    for i, (name, data) in enumerate(pending):
                        p = os.path.join(tmp, f"{i:06d}", name)
                        os.makedirs(os.path.dirname(p))
                        with open(p, "wb") as f:
                            f.write(data)
                        paths.append(p)
                    out_lines.extend(run_enrich(enrich_command(vigie, precision, extra, paths), env, []))
            pending.clear()

        for _, (kind, payload) in records:
            if kind != pending_kind:
                flush()
                pending_kind = kind
            pending.append(payload)
        flush()
        return out_lines

    return run


def numbered(rdd):
    """(index, element) in input order: partition sizes first, then each partition's
    elements numbered from its start (what zipWithIndex does, keeping the total)."""
    sizes = rdd.mapPartitions(lambda it: [sum(1 for _ in it)]).collect()
    starts = [0]
    for s in sizes[:-1]:
        starts.append(starts[-1] + s)
    total = sum(sizes)
    return rdd.mapPartitionsWithIndex(lambda p, it: ((starts[p] + i, x) for i, x in enumerate(it))), total


def make_archive(src, dest):
    """An uncompressed tar of the contents of `src` (Spark unpacks .tar archives), made
    once and kept beside the other job files; remade when `src` is newer."""
    if os.path.exists(dest) and os.path.getmtime(dest) >= max(
        os.path.getmtime(os.path.join(dp, f)) for dp, _, fs in os.walk(src) for f in fs
    ):
        return dest
    tmp = dest + ".tmp"
    with tarfile.open(tmp, "w") as tar:
        for name in sorted(os.listdir(src)):
            tar.add(os.path.join(src, name), arcname=name)
    os.replace(tmp, dest)
    return dest


def parse_args(argv):
    p = argparse.ArgumentParser(prog="enrich.py", description=__doc__.split("\n\n")[0])
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files or directories of articles (local), or hdfs://, s3a:// ... JSON lines")
    p.add_argument("--out", required=True, help="directory for the enriched part files (local path or Hadoop URI)")
    p.add_argument("--overwrite", action="store_true", help="remove a local --out first")
    p.add_argument("--data", help="data directory for the ordered stage (vigie ingest --enriched); without it that stage is not run")
    p.add_argument("--partitions", type=int, default=0, help="partitions (one vigie process each; default: the executors' cores)")
    p.add_argument("--vigie", default=os.environ.get("VIGIE", os.path.join(ROOT, "target/release/vigie")), help="vigie binary on the executors (default: $VIGIE, else target/release/vigie)")
    p.add_argument("--driver-vigie", help="vigie binary for the ordered stage on the driver (default: --vigie)")
    p.add_argument("--models", default=os.environ.get("VIGIE_MODELS"), help="encoder directory on the executors (default: $VIGIE_MODELS)")
    p.add_argument("--lib", default=next((d for d in os.environ.get("LD_LIBRARY_PATH", "").split(":") if d and os.path.exists(os.path.join(d, "libtorch_cpu.so"))), None), help="libtorch's lib directory on the executors (default: the one on LD_LIBRARY_PATH)")
    p.add_argument("--ship", action="store_true", help="send vigie, the encoder and libtorch with the job (spark.files / spark.archives) instead of reading them from --vigie/--models/--lib on each executor")
    p.add_argument("--ship-dir", default=os.path.join(ROOT, "target/spark-ship"), help="where --ship keeps its tar archives (default target/spark-ship)")
    p.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16", "int8"])
    p.add_argument("--threads", type=int, default=0, help="cores of each vigie process (VIGIE_THREADS; default: spark.task.cpus)")
    p.add_argument("--enrich-arg", action="append", default=[], metavar="ARG", help="extra argument for vigie enrich (repeat), e.g. --enrich-arg=--langs=fr,en")
    p.add_argument("--ingest-arg", action="append", default=[], metavar="ARG", help="extra argument for vigie ingest --enriched (repeat)")
    p.add_argument("--summary-json", help="also write the summary as JSON to this file")
    p.add_argument("--app-name", default="vigie-enrich")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    t_start = time.time()

    files, remote = [], []
    for inp in args.inputs:
        if is_remote(inp):
            remote.append(inp)
        else:
            files.extend(walk(local_path(inp)))
    if not files and not remote:
        fail("no input files")
    if remote and any(not f.endswith(LINE_EXTENSIONS) for f in files):
        fail("remote inputs are read as JSON lines: give local non-JSON-lines files in a run of their own")
    out_local = not is_remote(args.out)
    out_path = os.path.abspath(local_path(args.out)) if out_local else args.out
    if out_local and os.path.exists(out_path):
        if not args.overwrite:
            fail(f"{out_path}: already exists (--overwrite removes it)")
        shutil.rmtree(out_path)
    driver_vigie = os.path.abspath(args.driver_vigie or args.vigie)

    overrides = {}
    from pyspark.sql import SparkSession  # imported late: --help works without pyspark

    builder = SparkSession.builder.appName(args.app_name)
    if args.ship:
        for what, path in (("--vigie", args.vigie), ("--models", args.models), ("--lib", args.lib)):
            if not path or not os.path.exists(path):
                fail(f"--ship needs {what} on this machine: {path or 'not set'}")
        os.makedirs(args.ship_dir, exist_ok=True)
        models_tar = make_archive(args.models, os.path.join(args.ship_dir, "models.tar"))
        lib_tar = make_archive(args.lib, os.path.join(args.ship_dir, "libtorch.tar"))
        builder = builder.config("spark.files", os.path.abspath(args.vigie))
        builder = builder.config("spark.archives", f"{models_tar}#models,{lib_tar}#libtorch")
        executor_vigie = "./" + os.path.basename(args.vigie)
        overrides.update(VIGIE_MODELS="./models", LD_LIBRARY_PATH="./libtorch")
    else:
        # the executors run in directories of their own: relative paths that exist here are
        # given whole, except ./NAME, which names what --files/--archives put in the
        # executor's working directory
        for attr in ("vigie", "models", "lib"):
            path = getattr(args, attr)
            if path and not path.startswith("./") and os.path.exists(path):
                setattr(args, attr, os.path.abspath(path))
        executor_vigie = args.vigie
        if args.models:
            overrides["VIGIE_MODELS"] = args.models
        if args.lib:
            overrides["LD_LIBRARY_PATH"] = args.lib
    if args.data and not os.path.exists(driver_vigie):
        fail(f"{driver_vigie}: no vigie binary for the ordered stage (--driver-vigie)")

    spark = builder.getOrCreate()
    sc = spark.sparkContext
    sc.setLogLevel("WARN")
    task_cpus = int(sc.getConf().get("spark.task.cpus", "1"))
    # one vigie per task, on the task's cores: vigie reads VIGIE_THREADS (its CPU workers and
    # the encoder's threads), OpenMP's own pool OMP_NUM_THREADS
    threads = str(args.threads or task_cpus)
    overrides.update(VIGIE_THREADS=threads, OMP_NUM_THREADS=threads)
    env = ExecutorEnv(overrides)
    n = args.partitions or max(sc.defaultParallelism, 1)
    t_spark = time.time()

    # every record, in input order: one RDD per run of consecutive files of one kind
    line_files = [f for f in files if f.endswith(LINE_EXTENSIONS)]
    all_lines = len(line_files) == len(files)
    pieces, run = [], []

    def close_run():
        for f in run:
            pieces.append(tagged_lines(sc.textFile("file://" + f), f))
        run.clear()

    for f in files:
        if f.endswith(LINE_EXTENSIONS):
            run.append(f)
        else:
            close_run()
            pieces.append(sc.binaryFiles("file://" + f).map(lambda kv: ("file", (os.path.basename(kv[0]), kv[1]))))
    close_run()
    for r in remote:
        # a remote URI is named as given, its lines numbered through all it holds (exact
        # for one file; a directory's or a glob's files follow one another)
        pieces.append(tagged_lines(sc.textFile(r), r))
    records = pieces[0] if len(pieces) == 1 else sc.union(pieces)
    indexed, total = numbered(records)
    if total == 0:
        fail("the inputs hold no records")
    n = min(n, total)
    ranged = indexed.repartitionAndSortWithinPartitions(n, partitionFunc=lambda i: i * n // total, keyfunc=lambda i: i)
    if all_lines:
        cmd = enrich_command(executor_vigie, args.precision, args.enrich_arg + ["--format", "jsonl-tagged"], ["-"])
        enriched = ranged.map(lambda kv: kv[1][1]).pipe(shlex.join(cmd), env=env, checkCode=True)
    else:
        enriched = ranged.mapPartitions(enrich_mixed(executor_vigie, args.precision, args.enrich_arg, env))
    out_uri = out_path if not out_local else "file://" + out_path
    try:
        enriched.saveAsTextFile(out_uri)
        # what was committed, counted again from the files (a retried task's output once)
        counts = sc.textFile(out_uri).map(lambda line: (1, 1 if '"reject"' in line and json.loads(line).get("reject") is not None else 0))
        out_lines, enrich_rejects = counts.fold((0, 0), lambda a, b: (a[0] + b[0], a[1] + b[1]))
    except Exception as e:  # py4j's error: the cause is a Python traceback deep inside
        cause = [l.strip() for l in str(e).splitlines() if l.strip().split(":")[0].endswith(("Error", "Exception")) and "Traceback" not in l]
        spark.stop()
        fail(f"the Spark stage failed: {cause[-1] if cause else str(e).splitlines()[0]} (the executors' logs say more)")
    t_spark_done = time.time()
    executors = len(sc._jsc.sc().statusTracker().getExecutorInfos()) - 1
    spark.stop()

    summary = {
        "inputs": len(files) + len(remote),
        "records": total,
        "output_lines": out_lines,
        "enrich_rejects": enrich_rejects,
        "partitions": n,
        "executors": executors,
        "spark_seconds": round(t_spark_done - t_spark, 3),
        # enriched lines: one per record of a JSON lines input, one per article of a feed
        "spark_articles_per_s": round(out_lines / (t_spark_done - t_spark), 2),
        "out": out_path,
    }
    if all_lines and out_lines != total:
        summary["error"] = f"{out_lines} enriched lines for {total} input records"
    whole = len(files) - len(line_files)
    records = f"{total} records" if not whole else f"{total - whole} JSON lines and {whole} whole files"
    print(
        f"spark stage: {records} in {len(files) + len(remote)} input(s) -> {out_lines} enriched lines "
        f"({enrich_rejects} rejects) in {n} partitions on {executors} executor(s): "
        f"{summary['spark_seconds']:.1f} s, {summary['spark_articles_per_s']:.2f} articles/s"
    )
    if "error" in summary:
        write_summary(args, summary)
        fail(summary["error"])

    if args.data:
        if not out_local:
            fail("the ordered stage reads the part files locally: copy them down and run vigie ingest --enriched, or give a local --out")
        cmd = [driver_vigie, "--data", args.data, "ingest", "--enriched", out_path, "--json", "--quiet", *args.ingest_arg]
        t = time.time()
        proc = subprocess.run(cmd, stdout=subprocess.PIPE)
        secs = time.time() - t
        if proc.returncode != 0:
            summary["error"] = f"{shlex.join(cmd)} exited with code {proc.returncode}"
            write_summary(args, summary)
            fail(summary["error"])
        last = [l for l in proc.stdout.decode("utf-8").splitlines() if l.startswith("{")]
        ingest = json.loads(last[-1]) if last else {}
        summary.update(
            ordered_seconds=round(secs, 3),
            ordered_articles_per_s=round(out_lines / secs, 2),
            ingest=ingest,
        )
        print(
            f"ordered stage: vigie ingest --enriched: {ingest.get('indexed', '?')} indexed, {ingest.get('duplicates', '?')} duplicates, "
            f"{ingest.get('existing', '?')} existing, {ingest.get('rejected', '?')} rejects: {secs:.1f} s, {out_lines / secs:.2f} articles/s"
        )
    summary["total_seconds"] = round(time.time() - t_start, 3)
    print(f"total: {summary['total_seconds']:.1f} s (Spark start-up included)")
    write_summary(args, summary)


def write_summary(args, summary):
    if args.summary_json:
        with open(args.summary_json, "w") as f:
            json.dump(summary, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
