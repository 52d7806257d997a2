#!/usr/bin/env bash
# Run every notebook of the study headlessly with papermill, in order, and regenerate the results table.
# Executed copies go to res/rendered/<profile>/. A finished run is shown from its record, never trained
# again (so an interrupted run resumes), unless --force.
set -euo pipefail
# relative paths in MNIST_DIR and RUNS_DIR mean: from the folder where this command was typed
for var in MNIST_DIR RUNS_DIR; do
  if [[ -n "${!var:-}" && "${!var}" != /* ]]; then export "$var=$PWD/${!var}"; fi
done
cd "$(dirname "$0")"

usage() {
  cat <<USAGE
Usage: ./run_all.sh [--profile P] [--only PATTERN] [--device cpu|cuda|auto] [--seeds N]
                   [--precision fp32|bf16|auto] [--no-train] [--force] [--jobs N]

  --profile P   run size, one of lib/study/profiles.py's PROFILES (default quick): full = the
                original's recipe, quick = 1/50 of it, smoke = a few batches per run (checks that
                everything runs); `python -m lib.study.profiles` lists them
  --only PAT    run only notebooks whose file name contains PAT (e.g. --only v07, --only 00_);
                several patterns separated by commas (e.g. --only v14,v15,90_)
  --device D    cpu, cuda or auto (default auto: cuda when available)
  --seeds N     runs per version and dataset, seeds 0..N-1 (default 1)
  --precision P fp32, bf16 or auto (default auto: bf16 where the hardware computes it natively)
  --no-train    show finished runs only, never train (the training queue, tools/train_queue.py, trains them)
  --force       retrain models even when finished results exist
  --jobs N      notebooks side by side (default 1), for smoke checks and --no-train renders only, where
                starting kernels costs more than computing: 00_ still runs first and 90_ last
Environment: PYTHON (default .venv/bin/python), MNIST_DIR (a folder with the MNIST idx files, if offline),
             RUNS_DIR (checkpoints and training state; default runs/)
USAGE
}
die() { echo "run_all.sh: $*" >&2; exit 2; }

profile=quick only="" device=auto seeds=1 force=False train=True precision=auto jobs=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --profile) [[ $# -ge 2 ]] || die "--profile needs a value"; profile=$2; shift 2 ;;
    --only) [[ $# -ge 2 ]] || die "--only needs a value"; only=$2; shift 2 ;;
    --device) [[ $# -ge 2 ]] || die "--device needs a value"; device=$2; shift 2 ;;
    --seeds) [[ $# -ge 2 ]] || die "--seeds needs a value"; seeds=$2; shift 2 ;;
    --precision) [[ $# -ge 2 ]] || die "--precision needs a value"; precision=$2; shift 2 ;;
    --no-train) train=False; shift ;;
    --force) force=True; shift ;;
    --jobs) [[ $# -ge 2 ]] || die "--jobs needs a value"; jobs=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
done
case "$device" in cpu|cuda|auto) ;; *) usage >&2; die "unknown device '$device' (valid: cpu, cuda, auto)" ;; esac
case "$precision" in fp32|bf16|auto) ;; *) usage >&2; die "unknown precision '$precision' (valid: fp32, bf16, auto)" ;; esac
[[ "$seeds" =~ ^[1-9][0-9]*$ ]] || { usage >&2; die "--seeds must be a positive integer, got '$seeds'"; }
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { usage >&2; die "--jobs must be a positive integer, got '$jobs'"; }
if [[ $jobs -gt 1 && $train == True && $profile != smoke ]]; then  # never two long trainings on the same cores
  die "--jobs $jobs trains side by side: use it with --profile smoke or --no-train only"
fi
if [[ $jobs -gt 1 ]]; then  # the cores shared out: torch threads that outnumber the cores spin against each other
  cores=$(nproc)
  export OMP_NUM_THREADS=$((cores > jobs ? cores / jobs : 1))
fi

# --- environment check: say everything that is missing, then stop ---
PYTHON=${PYTHON:-.venv/bin/python}
problems=()
if [[ ! -x "$PYTHON" ]]; then
  problems+=("no Python at $PYTHON: create the venv (python3 -m venv .venv && .venv/bin/pip install -r requirements.txt) or set PYTHON")
else
  export PATH="$(cd "$(dirname "$PYTHON")" && pwd):$PATH"  # the kernel papermill starts is this Python
  missing=$("$PYTHON" - <<'PY'
import importlib.util
need = ["torch", "torchvision", "papermill", "ipykernel", "matplotlib", "seaborn", "sklearn", "pandas", "tqdm",
        "scipy", "PIL", "anywidget", "ipywidgets"]
print(" ".join(n for n in need if importlib.util.find_spec(n) is None))
PY
)
  [[ -z "$missing" ]] || problems+=("missing Python packages: $missing (pip install -r requirements.txt)")
  if [[ -z "$missing" ]]; then
    "$PYTHON" -c "from jupyter_client.kernelspec import KernelSpecManager as K; K().get_kernel_spec('python3')" 2>/dev/null \
      || problems+=("no Jupyter kernel 'python3' for $PYTHON (run: $PYTHON -m ipykernel install --sys-prefix)")
    mnist_msg=$("$PYTHON" -c "from lib.data import mnist; mnist.ensure_mnist()" 2>&1 >/dev/null | tail -n 1) \
      || problems+=("MNIST: ${mnist_msg#*: }")
  fi
fi
if [[ ${#problems[@]} -gt 0 ]]; then
  echo "run_all.sh: the environment is not ready:" >&2
  printf '  - %s\n' "${problems[@]}" >&2
  exit 1
fi
# the profiles are lib/study/profiles.py's
mapfile -t valid_profiles < <("$PYTHON" -m lib.study.profiles)
known=False  # a loop, not `printf | grep -q`: grep -q may close the pipe early, and pipefail then fails the check
for p in "${valid_profiles[@]}"; do [[ $p == "$profile" ]] && known=True; done
[[ $known == True ]] || { usage >&2; die "unknown profile '$profile' (valid: ${valid_profiles[*]})"; }

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
# one notebook: exit status 0 ran, 1 failed (a finished run is shown from its record, never trained again)
run_one() {
  local i=$1 nb=$2 name t0
  name=$(basename "$nb")
  echo "[$i/$total] $name ..."
  t0=$SECONDS
  if ! "$PYTHON" -m papermill "$nb" "$out_dir/$name" --cwd notebooks --kernel python3 \
        -p profile "$profile" -p device "$device" -p seeds "$seeds" -p force "$force" -p precision "$precision" \
        -p train "$train" -p progress lines \
        --log-output --no-progress-bar > "$out_dir/${name%.ipynb}.log" 2>&1; then
    tail -n 25 "$out_dir/${name%.ipynb}.log" >&2
    echo "run_all.sh: FAILED at $name after $((SECONDS - t0)) s." >&2
    echo "  The executed copy with the error: $out_dir/$name; the log: $out_dir/${name%.ipynb}.log" >&2
    return 1
  fi
  # papermill keeps each flush as an output: merge them, one block of epoch lines per cell
  "$PYTHON" -m nbconvert --to notebook --inplace --log-level WARN --CoalesceStreamsPreprocessor.enabled=True "$out_dir/$name"
  echo "[$i/$total] $name done in $((SECONDS - t0)) s (total $((SECONDS - started)) s)"
}
tally() {  # count one finished notebook's status; stop at the first failure
  case $1 in
    0) ran=$((ran + 1)) ;;
    *) wait; exit 1 ;;
  esac
}

started=$SECONDS
total=${#notebooks[@]} i=0 ran=0
echo "run_all.sh: $(date -u +%Y-%m-%dT%H:%M:%SZ) $total notebooks, profile=$profile device=$device seeds=$seeds precision=$precision train=$train force=$force jobs=$jobs -> $out_dir/"
running=0
for nb in "${notebooks[@]}"; do
  i=$((i + 1))
  name=$(basename "$nb")
  # the test sets (00_) run before everything else (alone), the results (90_) after it
  if [[ $jobs -gt 1 && $name == 90_* ]]; then
    while [[ $running -gt 0 ]]; do status=0; wait -n || status=$?; running=$((running - 1)); tally $status; done
  fi
  if [[ $jobs -eq 1 || $name == 00_* || $name == 90_* ]]; then
    status=0; run_one $i "$nb" || status=$?; tally $status; continue
  fi
  run_one $i "$nb" &
  running=$((running + 1))
  if [[ $running -ge $jobs ]]; then status=0; wait -n || status=$?; running=$((running - 1)); tally $status; fi
done
while [[ $running -gt 0 ]]; do status=0; wait -n || status=$?; running=$((running - 1)); tally $status; done
results=res; [[ $profile == smoke ]] && results=res/smoke  # smoke checks never overwrite the record
echo "run_all.sh: $ran run in $((SECONDS - started)) s. Results: $results/results.md, $results/results.csv"
