# tcesim import trace-cmd on every generation of the kernel's dma: events
# and every reader's printing of them (tests/data/import/README.md): each
# sample imports to its expected trace byte for byte, what is skipped or
# guessed is said on stderr, and bad input is one FILE:LINE: line, exit 2.
. "$(dirname "$0")/lib.sh"
D="$DATA/import"

imp() {   # imp SAMPLE EXPECTED [OPTIONS...]
  local s=$1 e=$2; shift 2
  expect_exit 0 "$TCESIM" import trace-cmd "$D/$s" -o "$TMP/$s.trace" "$@"
  if cmp -s "$TMP/$s.trace" "$D/$e"; then ok; else
    bad "$s imports differently from $e: $(diff "$D/$e" "$TMP/$s.trace" | head -5)"; fi
  cp "$TMP/err" "$TMP/$s.err"
}

imp k612_tracecmd.txt k612.expected.trace
imp k612_tracecmd_old.txt k612.expected.trace
grep -q "2 \[FAILED TO PARSE\] lines read from their raw fields" "$TMP/k612_tracecmd_old.txt.err" && ok \
  || bad "raw lines not counted: $(cat "$TMP/k612_tracecmd_old.txt.err")"
imp knew_tracecmd.txt knew.expected.trace
imp knew_tracecmd_old_le.txt knew.expected.trace
imp knew_tracecmd_old_be.txt knew.expected.trace --byte-order big
imp knew_ftrace.txt knew.expected.trace
imp knew_perf.txt knew.expected.trace
grep -q "3  failed mapping or allocation" "$TMP/knew_perf.txt.err" && ok || bad "failed maps not counted"
grep -q "1 with 59-bit masks" "$TMP/knew_perf.txt.err" && ok || bad "TVE#0 device not said"

# A big-endian dump read as little-endian gives other addresses (nothing in
# the report says the byte order: hence the option).
expect_exit 0 "$TCESIM" import trace-cmd "$D/knew_tracecmd_old_be.txt" -o "$TMP/be_as_le.trace"
cmp -s "$TMP/be_as_le.trace" "$D/knew.expected.trace" && bad "byte order made no difference" || ok

# Truncated scatter lists: completed, and the guess is said in one line.
imp knew_truncated.txt knew_truncated.expected.trace
grep -qx "import: 57344 bytes guessed (hidden segments of 2 \[TRUNCATED\] dma_map_sg)" \
  "$TMP/knew_truncated.txt.err" && ok || bad "guess not said: $(cat "$TMP/knew_truncated.txt.err")"

# Masks: forced for every device.
expect_exit 0 "$TCESIM" import trace-cmd "$D/knew_perf.txt" -o "$TMP/m.trace" --mask-bits 48
expect_eq "$(grep -c 'dma_mask_bits=48' "$TMP/m.trace")" 3 "--mask-bits forces every device"
expect_exit 0 "$TCESIM" import trace-cmd "$D/knew_perf.txt" -o "$TMP/m.trace" --mask-bits auto
cmp -s "$TMP/m.trace" "$D/knew.expected.trace" && ok || bad "--mask-bits auto is not the default"
expect_exit 2 "$TCESIM" import trace-cmd "$D/knew_perf.txt" -o "$TMP/m.trace" --mask-bits 99
expect_exit 2 "$TCESIM" import trace-cmd "$D/knew_perf.txt" -o "$TMP/m.trace" --byte-order middle

# Every sample replays.
expect_exit 0 "$TCESIM" run --trace "$D/knew.expected.trace"
expect_exit 0 "$TCESIM" run --trace "$D/knew_truncated.expected.trace"

# Bad input: one line FILE:LINE: ..., exit 2, no output left.
printf 'cpus=1\n  a-1 [000] 1.000000: dma_map_phys: x\0y\n' >"$TMP/nul.txt"
expect_exit 2 "$TCESIM" import trace-cmd "$TMP/nul.txt" -o "$TMP/nul.trace"
expect_err "nul\.txt:2: NUL byte"
[ -e "$TMP/nul.trace" ] && bad "output left after an error" || ok
finish
