# Bad input: one clear line on stderr, exit code 2, no output file left.
. "$(dirname "$0")/lib.sh"

expect_exit 2 "$TCESIM" run --set phb.tce_cache.entriez=4
expect_err '^phb\.tce_cache\.entriez: unknown key$'
expect_exit 2 "$TCESIM" run --set phb.tce_cache.entries=lots
expect_err '^phb\.tce_cache\.entries: bad value'
expect_exit 2 "$TCESIM" run --set phb.model=phb9
expect_err '^phb\.model: bad value .phb9. \(expected one of: phb3, phb4\)$'
expect_exit 2 "$TCESIM" run --set devices.9.rid=01:00.0
expect_err '^devices\.9\.rid: no device 9'
expect_exit 2 "$TCESIM" run --set phb.tce_cache.ways=3
expect_err '^phb\.tce_cache\.ways: must divide'
expect_exit 2 "$TCESIM" run --set noequals
expect_err 'expected key=value'
expect_exit 2 "$TCESIM" run --bogus
expect_exit 2 "$TCESIM" frobnicate

printf '{\n  "phb": {\n    "model": "phb4",\n  }\n}\n' >"$TMP/bad.json"
expect_exit 2 "$TCESIM" run "$TMP/bad.json"
expect_err "bad\.json:4: "
printf '{"phb": {"tce_cache": {"entries": -3}}}' >"$TMP/neg.json"
expect_exit 2 "$TCESIM" run "$TMP/neg.json"
expect_err '^phb\.tce_cache\.entries: expected a non-negative integer or a string \("0x1000"\), got -3$'
expect_exit 2 "$TCESIM" run no-such-preset
expect_err 'no-such-preset: no such file'

# Trace errors: file:line: message.
t="$TMP/t.trace"
printf 'tcesim-trace 1\n0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n10 dev0 read h=1 off=0 len=64 bogus=1\n' >"$t"
expect_exit 2 "$TCESIM" run --trace "$t" --json "$TMP/r.json"
expect_err "t\.trace:3: unknown key 'bogus'"
[ -e "$TMP/r.json" ] && bad "a report was written for a bad trace" || ok
printf 'tcesim-trace 1\n0 cpu0 map dev=0 h=1 size=4096 dir=to_device\n10 dev0 read h=7 off=0 len=64\n' >"$t"
expect_exit 2 "$TCESIM" run --trace "$t"
expect_err "t\.trace:3: handle 7 was never mapped"
printf 'tcesim-trace 1\n100 cpu0 map dev=0 h=1 size=4096 dir=to_device\n10 dev0 read h=1 off=0 len=64\n' >"$t"
expect_exit 2 "$TCESIM" run --trace "$t"
expect_err "t\.trace:3: time goes backwards"
printf 'tcesim-trace 1\n0 cpu0 map dev=0 h=1 size=4096 dir=sideways\n' >"$t"
expect_exit 2 "$TCESIM" run --trace "$t"
expect_err "t\.trace:2: "
printf 'tcesim-trace 1\n0 cpu99 map dev=0 h=1 size=4096 dir=to_device\n' >"$t"
expect_exit 2 "$TCESIM" run --trace "$t"
expect_err "t\.trace:2: cpu99 but host\.cpus is 16"
printf 'tcesim-trace 1\n0 cpu0 map dev=7 h=1 size=4096 dir=to_device\n' >"$t"
expect_exit 2 "$TCESIM" run --trace "$t"
expect_err "t\.trace:2: dev=7 is not declared \(neither devices\.7 nor a device line of the trace\)$"
printf 'not a trace\n' >"$t"
expect_exit 2 "$TCESIM" run --trace "$t"
expect_err "t\.trace:1: "
expect_exit 2 "$TCESIM" run --trace "$TMP/missing.trace"
expect_err "missing\.trace: "
finish
