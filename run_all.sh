#!/usr/bin/env bash
# Run every notebook of the study headlessly with papermill, in order, into res/rendered/<profile>/; a finished
# run is shown from its record, never trained or scored again (so an interrupted run resumes), unless --force
# (train it again) or --rescore (score it again from its checkpoint, after a change to how runs are scored).
set -euo pipefail
for var in MNIST_DIR RUNS_DIR; do  # a relative path means: from the folder where this command was typed
  if [[ -n "${!var:-}" && "${!var}" != /* ]]; then export "$var=$PWD/${!var}"; fi
done
cd "$(dirname "$0")"

usage() {
  echo "Usage: ./run_all.sh [--profile P] [--only PATTERN[,PATTERN...]] [--device cpu|cuda|auto] [--seeds N]"
  echo "  [--precision fp32|bf16|auto] [--no-train] [--force] [--rescore] [--jobs N]; every option and variable: docs/running.md"
}
die() { echo "run_all.sh: $*" >&2; exit 2; }
bad() { usage >&2; die "$@"; }

profile=quick only="" device=auto seeds=1 force=False train=True rescore=False precision=auto jobs=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --profile | --only | --device | --seeds | --precision | --jobs)
      [[ $# -ge 2 ]] || die "$1 needs a value"; printf -v "${1#--}" %s "$2"; shift 2 ;;
    --no-train) train=False; shift ;;
    --force) force=True; shift ;;
    --rescore) rescore=True; shift ;;
    -h | --help) usage; exit 0 ;;
    *) bad "unknown option '$1'" ;;
  esac
done
[[ $device =~ ^(cpu|cuda|auto)$ ]] || bad "unknown device '$device' (valid: cpu, cuda, auto)"
[[ $precision =~ ^(fp32|bf16|auto)$ ]] || bad "unknown precision '$precision' (valid: fp32, bf16, auto)"
for n in seeds jobs; do [[ ${!n} =~ ^[1-9][0-9]*$ ]] || bad "--$n must be a positive integer, got '${!n}'"; done
if [[ $jobs -gt 1 && $train == True && $profile != smoke ]]; then  # never two long trainings on the same cores
  die "--jobs $jobs trains side by side: use it with --profile smoke or --no-train only"
fi
cores=$(nproc)  # notebooks side by side share the cores out: torch threads beyond them spin against each other
shared_threads=$((cores > jobs ? cores / jobs : 1))

# --- environment check: each error says how to fix it ---
PYTHON=${PYTHON:-.venv/bin/python}
[[ -x "$PYTHON" ]] || die "no Python at $PYTHON: create the venv (python3 -m venv .venv && .venv/bin/pip install -r requirements.txt) or set PYTHON"
export PATH="$(cd "$(dirname "$PYTHON")" && pwd):$PATH"  # the kernel papermill starts is this Python
missing=$("$PYTHON" -c 'import importlib.util as u, sys; print(*[n for n in sys.argv[1:] if not u.find_spec(n)])' \
  torch torchvision papermill nbconvert ipykernel matplotlib seaborn sklearn pandas tqdm scipy PIL anywidget ipywidgets)
[[ -z "$missing" ]] || die "missing Python packages: $missing (pip install -r requirements.txt)"
"$PYTHON" -c "from jupyter_client.kernelspec import KernelSpecManager as K; K().get_kernel_spec('python3')" 2>/dev/null \
  || die "no Jupyter kernel 'python3' for $PYTHON (run: $PYTHON -m ipykernel install --sys-prefix)"
mnist_msg=$("$PYTHON" -c "from lib.data import mnist; mnist.ensure_mnist()" 2>&1 >/dev/null | tail -n 1) \
  || die "MNIST: ${mnist_msg#*: }"
profile_msg=$("$PYTHON" -c "import sys; from lib.study import profiles; profiles.get(sys.argv[1])" "$profile" 2>&1 | tail -n 1) \
  || bad "${profile_msg#*: }"  # the profiles are lib/study/profiles.py's

# --- run the notebooks ---
out_dir="res/rendered/$profile"
mkdir -p "$out_dir"
exec > >(tee -a "$out_dir/run_all.log") 2>&1  # the console output of every run is the record of its timings
mapfile -t notebooks < <(ls notebooks/*.ipynb | sort)
if [[ -n "$only" ]]; then
  IFS=, read -ra patterns <<< "$only"
  mapfile -t notebooks < <(printf '%s\n' "${notebooks[@]}" | grep -F "${patterns[@]/#/-e}" || true)
  [[ ${#notebooks[@]} -gt 0 ]] || die "no notebook matches --only '$only'"
fi
run_one() {  # one notebook, the i-th: fails with its log's tail and where its executed copy is
  local i=$1 nb=$2 name t0=$SECONDS
  name=$(basename "$nb")
  echo "[$i/$total] $name ..."
  if ! "$PYTHON" -m papermill "$nb" "$out_dir/$name" --cwd notebooks --kernel python3 \
        -p profile "$profile" -p device "$device" -p seeds "$seeds" -p force "$force" -p precision "$precision" \
        -p train "$train" -p rescore "$rescore" -p progress lines \
        --log-output --no-progress-bar > "$out_dir/${name%.ipynb}.log" 2>&1; then
    tail -n 25 "$out_dir/${name%.ipynb}.log" >&2
    echo "run_all.sh: FAILED at $name after $((SECONDS - t0)) s." >&2
    echo "  The executed copy with the error: $out_dir/$name; the log: $out_dir/${name%.ipynb}.log" >&2
    return 1
  fi
  echo "[$i/$total] $name done in $((SECONDS - t0)) s (total $((SECONDS - started)) s)"
}
wait_one() { wait -n || { wait; exit 1; }; running=$((running - 1)); }  # stop at the first failure

started=$SECONDS total=${#notebooks[@]} i=0 running=0
echo "run_all.sh: $(date -u +%Y-%m-%dT%H:%M:%SZ) $total notebooks, profile=$profile device=$device seeds=$seeds precision=$precision train=$train force=$force rescore=$rescore jobs=$jobs -> $out_dir/"
for nb in "${notebooks[@]}"; do
  i=$((i + 1))
  if [[ $jobs -gt 1 && $(basename "$nb") != 00_* && $(basename "$nb") != 90_* ]]; then
    (export OMP_NUM_THREADS=$shared_threads && run_one $i "$nb") &
    running=$((running + 1))
    [[ $running -lt $jobs ]] || wait_one
  else  # the test sets (00_) run alone, on every core, before everything else; the results (90_) alone after it
    while [[ $running -gt 0 ]]; do wait_one; done
    run_one $i "$nb" || exit 1
  fi
done
while [[ $running -gt 0 ]]; do wait_one; done
# papermill keeps each flush as an output: merge them, one block of epoch lines per cell (one process for all)
"$PYTHON" -m nbconvert --to notebook --inplace --log-level WARN --CoalesceStreamsPreprocessor.enabled=True \
  "${notebooks[@]/#notebooks/$out_dir}"
echo "run_all.sh: $total notebooks run in $((SECONDS - started)) s. Results: res/results.md (smoke: res/smoke/)"
