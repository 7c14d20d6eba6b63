#!/usr/bin/env bash
# The benchmark through the command line: simulate lists, import each with its mapping file,
# `dadkhah link run`, `dadkhah link export`, and score the export against the truth.
#
#   bench/linkage/run_cli.sh [POPULATION] [LISTS] [SEED] [WORKDIR]
#
# Prints the same figures as bench/linkage/bench_quality.py for the same population and seed.
set -euo pipefail
POP=${1:-10000}; LISTS=${2:-5}; SEED=${3:-2}; WORK=${4:-$(mktemp -d)}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY="$ROOT/.venv/bin/python"
DADKHAH="$PY -m dadkhah.cli --data $WORK/case"
mkdir -p "$WORK"
"$PY" -c "from dadkhah.testing.simulate_lists import simulate; simulate($POP, $LISTS, seed=$SEED).write('$WORK/lists')"
start=$(date +%s)
while read -r file; do
  name=${file%.*}
  $DADKHAH lists import "$WORK/lists/$file" --name "$name" --mapping "$WORK/lists/$name.mapping.yaml" >/dev/null
done < "$WORK/lists/lists.txt"
imported=$(date +%s)
$DADKHAH link run --json > "$WORK/run.json"
linked=$(date +%s)
$DADKHAH link export --format csv -o "$WORK/export.csv"
echo "import $((imported - start))s, link run $((linked - imported))s (work folder: $WORK)"
"$PY" "$ROOT/bench/linkage/score_export.py" "$WORK/export.csv" "$WORK/lists/truth.csv"
