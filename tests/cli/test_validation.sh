# A short run of the pcie-bench validation (scripts/validate_pciebench.py
# --quick: 4 windows per curve, 60 000 accesses per point) on the
# xeon-e5-vtd preset; fails past a loose 30% bound. docs/validation.md has
# the full sweep and its 15% goal.
. "$(dirname "$0")/lib.sh"
python3 "$SRC/scripts/validate_pciebench.py" --quick --bound 0.30 --jobs 2 --tcesim "$TCESIM" >"$TMP/out" 2>"$TMP/err"
rc=$?
cat "$TMP/out"
[ $rc -eq 0 ] && ok || bad "validation past the 30% bound (or failed): $(tail -1 "$TMP/out") $(head -c 300 "$TMP/err")"
grep -q "^read 64 " "$TMP/out" && grep -q "^write 256 " "$TMP/out" && grep -q "^lat64 ns" "$TMP/out" && ok || bad "validation table incomplete"
finish
