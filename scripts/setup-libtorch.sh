#!/usr/bin/env bash
# Builds a CPU libtorch 2.4.0 (what tch 0.17 / rust-bert 0.23 need) from PyPI wheels
# alone, as ../shared/MODELS.md describes: torch's headers and CPU libraries, plus the
# two CUDA runtime libraries libtorch_cpu.so links against. libtorch_cuda.so is left
# out so that tch links the CPU build. Idempotent: a second run returns at once.
set -euo pipefail
DEST=${1:-.tools/libtorch}
STAMP="$DEST/.vigie-libtorch-2.4.0"
if [ -f "$STAMP" ]; then
  exit 0
fi
WHEELS=${VIGIE_WHEELS:-.tools/wheels}
mkdir -p "$WHEELS" "$DEST/lib"
echo "setup-libtorch: downloading torch 2.4.0 and the CUDA runtime wheels from PyPI (about 800 MB)" >&2
python3 -m pip download --no-deps --quiet --disable-pip-version-check -d "$WHEELS" \
  torch==2.4.0 nvidia-cuda-runtime-cu12==12.1.105 nvidia-cuda-cupti-cu12==12.1.105
python3 - "$WHEELS" "$DEST" <<'PY'
import glob, os, re, shutil, sys, zipfile
wheels, dest = sys.argv[1], sys.argv[2]
libs = re.compile(r"^(libc10\.so|libtorch_cpu\.so|libtorch\.so|libshm\.so|libtorch_global_deps\.so|libgomp-[0-9a-f]+\.so\.1|libcudart\.so\.12|libcupti\.so\.12)$")
def extract(whl, keep):
    with zipfile.ZipFile(whl) as z:
        for n in z.namelist():
            out = keep(n)
            if out is None or n.endswith("/"):
                continue
            path = os.path.join(dest, out)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with z.open(n) as src, open(path, "wb") as dst:
                shutil.copyfileobj(src, dst)
torch = glob.glob(os.path.join(wheels, "torch-2.4.0-*.whl"))[0]
def torch_keep(n):
    if n.startswith("torch/include/"):
        return n[len("torch/"):]
    base = os.path.basename(n)
    if n.startswith("torch/lib/") and libs.match(base):
        return os.path.join("lib", base)
    return None
extract(torch, torch_keep)
for w in glob.glob(os.path.join(wheels, "nvidia_cuda_*-12.1.105-*.whl")):
    extract(w, lambda n: os.path.join("lib", os.path.basename(n)) if libs.match(os.path.basename(n)) else None)
missing = [l for l in ["libc10.so", "libtorch_cpu.so", "libtorch.so", "libcudart.so.12", "libcupti.so.12"] if not os.path.exists(os.path.join(dest, "lib", l))]
if missing:
    sys.exit("setup-libtorch: missing after extraction: " + ", ".join(missing))
PY
touch "$STAMP"
echo "setup-libtorch: libtorch ready in $DEST ($(du -sh "$DEST" | cut -f1))" >&2
