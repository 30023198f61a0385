#!/usr/bin/env bash
# Interrupts leave nothing behind (issue 13): every command that writes a
# file removes its partial output on SIGINT, SIGTERM and SIGHUP and dies by
# the signal (exit 128 + N); after a SIGKILL, the next writer of the same
# target removes the temp file left behind, and nothing else.
. "$(dirname "$0")/lib.sh"
T=$TCESIM
# Job control: without it a non-interactive shell starts background jobs
# with SIGINT ignored (POSIX), and an ignored signal stays ignored.
set -m

# temps DIR : the temp files (issue 7's pattern) in DIR
temps() { find "$1" -maxdepth 1 -name '.*.tcesim-*' | sort; }

# wait_temp DIR : waits (up to 60 s) until a temp file exists in DIR
wait_temp() {
  local i
  for i in $(seq 600); do
    [ -n "$(temps "$1")" ] && return 0
    sleep 0.1
  done
  return 1
}

# interrupt SIG NAME DIR TARGET CMD... : runs CMD in the background, sends
# SIG once its temp file exists, checks the exit status, that no temp file
# is left and that TARGET was not created.
interrupt() {
  local sig=$1 name=$2 dir=$3 target=$4; shift 4
  "$@" >"$TMP/int.out" 2>"$TMP/int.err" &
  local pid=$!
  if ! wait_temp "$dir"; then
    bad "$name: no temp file appeared ($(head -c 300 "$TMP/int.err"))"
    kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
    return
  fi
  kill -s "$sig" $pid
  wait $pid
  local rc=$? want=$((128 + $(kill -l "$sig")))
  expect_eq "$rc" "$want" "$name: exit status after SIG$sig"
  expect_eq "$(temps "$dir")" "" "$name: temp files left after SIG$sig"
  if [ -e "$target" ]; then bad "$name: $target exists after SIG$sig"; else ok; fi
}

# An endless trace from a FIFO: the consumers below keep writing until told.
feed() { # feed FIFO PATTERN KEY : a generator writing a huge trace into FIFO, in the background
  "$T" gen "$2" --set "$3=2000000000" -o "$1" >/dev/null 2>&1 &
  FEED=$!
}
stop_feed() { kill -KILL $FEED 2>/dev/null; wait $FEED 2>/dev/null; }

# gen: SIGINT, SIGTERM, SIGHUP
for sig in INT TERM HUP; do
  d=$TMP/gen-$sig; mkdir "$d"
  interrupt $sig "gen" "$d" "$d/g.bin" "$T" gen window --set count=2000000000 -o "$d/g.bin"
done

# trace convert, reading a FIFO a generator writes
d=$TMP/convert; mkdir "$d"; mkfifo "$TMP/conv.bin"
feed "$TMP/conv.bin" window count
interrupt TERM "trace convert" "$d" "$d/c.trace" "$T" trace convert "$TMP/conv.bin" "$d/c.trace"
stop_feed

# import trace-cmd: two passes over a real file (pass 2 writes)
d=$TMP/import; mkdir "$d"
python3 - "$TMP/report.txt" <<'EOF'
import sys
line = ("nvme-1 [001] d..1. %d.%06d: dma_map_page: 0000:01:00.0 dir=TO_DEVICE dma_addr=80001000 size=4096 phys_addr=2001000 attrs=\n"
        "nvme-1 [001] d..1. %d.%06d: dma_unmap_page: 0000:01:00.0 dir=TO_DEVICE dma_addr=80001000 size=4096 attrs=\n")
with open(sys.argv[1], "w") as f:
    for t in range(0, 1200000, 2):
        f.write(line % (5000 + t // 1000000, t % 1000000, 5000 + (t + 1) // 1000000, (t + 1) % 1000000))
EOF
interrupt INT "import" "$d" "$d/i.bin" "$T" import trace-cmd "$TMP/report.txt" -o "$d/i.bin"

# run --mappings and --timeline, replaying a FIFO: both partial outputs go
d=$TMP/run; mkdir "$d"; mkfifo "$TMP/run.bin"
feed "$TMP/run.bin" nic-rx packets
interrupt HUP "run --mappings --timeline" "$d" "$d/m.csv" \
  "$T" run --trace "$TMP/run.bin" --mappings "$d/m.csv" --timeline "$d/tl.json" --json "$d/r.json"
stop_feed
if [ -e "$d/tl.json" ] || [ -e "$d/r.json" ]; then bad "run: an output exists after SIGHUP"; else ok; fi

# sweep: its points stopped, their temps removed, and it dies by the signal too
d=$TMP/sweep
"$T" sweep "$BW" --vary workload.count=20000000,20000001 --jobs 2 --out "$d" >/dev/null 2>"$TMP/sw.err" &
pid=$!
for i in $(seq 600); do [ -n "$(ls "$d/logs" 2>/dev/null)" ] && break; sleep 0.1; done
sleep 1
kill -HUP $pid
wait $pid
expect_eq "$?" 129 "sweep: exit status after SIGHUP"
grep -q "interrupted by SIGHUP" "$TMP/sw.err" && ok || bad "sweep: no interrupted line: $(tail -2 "$TMP/sw.err")"
expect_eq "$(temps "$d")" "" "sweep: temp files left after SIGHUP"

# An ignored signal stays ignored (nohup): the command runs to its end.
d=$TMP/nohup; mkdir "$d"
( trap '' HUP; exec "$T" gen window --set count=300000 -o "$d/n.bin" ) >/dev/null 2>&1 &
pid=$!
wait_temp "$d"
kill -HUP $pid
wait $pid
expect_eq "$?" 0 "gen with SIGHUP ignored"
if [ -s "$d/n.bin" ]; then ok; else bad "gen with SIGHUP ignored: no output"; fi

# SIGKILL leaves the temp file; the next writer of the same target removes
# it and says so, and leaves alone: a live writer's temp file (locked),
# other targets' temps, names that are not the pattern, a directory at a
# temp name, a file planted at a name of the pattern that tcesim did not make.
d=$TMP/kill; mkdir "$d"
"$T" gen window --set count=2000000000 -o "$d/k.bin" >/dev/null 2>&1 &
live=$!
wait_temp "$d"
live_tmp=$(temps "$d")
"$T" gen window --set count=2000000000 -o "$d/k.bin" >/dev/null 2>&1 &
pid=$!
for i in $(seq 600); do [ "$(temps "$d" | wc -l)" -ge 2 ] && break; sleep 0.1; done
stale=$(comm -13 <(echo "$live_tmp") <(temps "$d"))
if [ -n "$stale" ] && [ -e "$live_tmp" ]; then ok; else bad "a second writer removed the first's temp file or made none"; fi
kill -KILL $pid; wait $pid 2>/dev/null
[ -e "$stale" ] && ok || bad "a SIGKILLed writer's temp file is gone"
touch "$d/.other.bin.tcesim-abcdef" "$d/.k.bin.tcesim-toolong1" "$d/k.bin.tcesim-abcdef" "$d/.k.bin.tcesim-planted"
mkdir "$d/.k.bin.tcesim-dir123"
sleep 1.1 # every temp file is older than the next writer
expect_exit 0 "$T" gen window --set count=1000 -o "$d/k.bin"
if grep -Fxq "note: $(realpath "$d")/$(basename "$stale"): removed, a temp file an interrupted run left ($(stat -c %s "$stale" 2>/dev/null || echo gone) bytes)" "$TMP/err" ||
   grep -Fq "note: $(realpath "$d")/$(basename "$stale"): removed, a temp file an interrupted run left (" "$TMP/err"; then ok
else bad "no note about the stale temp file: $(cat "$TMP/err")"; fi
[ -e "$stale" ] && bad "the stale temp file is still there" || ok
for f in "$live_tmp" "$d/.k.bin.tcesim-planted" "$d/.other.bin.tcesim-abcdef" "$d/.k.bin.tcesim-toolong1" "$d/k.bin.tcesim-abcdef" "$d/.k.bin.tcesim-dir123"; do
  [ -e "$f" ] && ok || bad "$f was removed"
done
expect_eq "$(grep -c '^note: ' "$TMP/err")" 1 "notes: only the stale temp file"
kill -TERM $live; wait $live 2>/dev/null
[ -e "$live_tmp" ] && bad "the live writer's temp file stayed after its SIGTERM" || ok
# k.bin is the completed run's, whole: the killed writers never replaced it
expect_exit 0 "$T" trace info "$d/k.bin"
grep -q "1001" "$TMP/out" && ok || bad "k.bin is not the 1000-access trace: $(head -3 "$TMP/out")"
finish
