# Identities mean one thing (issue 13): a RID is one function however it is
# spelt, a PHB is one PCI domain (phb.domain), and a device id is a device
# only when the config or the trace declares it.
. "$(dirname "$0")/lib.sh"

hdr='tcesim-trace 1'
# ids: the JSON devices[] ids, space-separated
ids() { python3 -c "import json,sys; print(' '.join(str(d['id']) for d in json.load(open(sys.argv[1]))['devices']))" "$1"; }

# ---- RIDs: 01:00.0, 1:0.0 and 0000:01:00.0 (lspci -D, the kernel's pci_name()) are one function
for spelling in 1:0.0 0000:01:00.0 01:0.0 0:1:00.0; do
  expect_exit 2 "$TCESIM" run --set "devices.1.rid=$spelling"
  expect_err '^devices\.1\.rid: 01:00\.0 is also devices\.0.s$'
done
printf '%s\ndevice id=0 rid=01:00.0\ndevice id=1 rid=0000:01:00.0\n' "$hdr" >"$TMP/dup.trace"
expect_exit 2 "$TCESIM" run --trace "$TMP/dup.trace"
expect_err 'dup\.trace:3: rid 01:00\.0 already used by device 0 \(line 2\)$'
# across the config and the trace: the config's dev0 (01:00.0) used while
# the trace's dev1 declares that RID as 1:0.0
printf '%s\ndevice id=1 rid=1:0.0\n0 cpu0 map dev=0 h=1 size=4096 dir=bidirectional\n' "$hdr" >"$TMP/cross.trace"
expect_exit 2 "$TCESIM" run --trace "$TMP/cross.trace"
expect_err 'cross\.trace:3: dev0 \(devices\.0, rid 01:00\.0\) is used, but the trace.s dev1 declares that RID'
expect_exit 2 "$TCESIM" run --set devices.0.rid=01:00
expect_err "^devices\.0\.rid: bad RID '01:00' \(expected \[DDDD:\]BB:DD\.F in hex, as lspci prints it\)$"
expect_exit 2 "$TCESIM" run --set devices.0.rid=10000:01:00.0
expect_err "^devices\.0\.rid: bad RID '10000:01:00\.0'"

# ---- phb.domain: one PHB, one PCI domain
expect_exit 2 "$TCESIM" run --set phb.domain=0x30 --set devices.0.rid=0031:01:00.0
expect_err '^devices\.0\.rid: domain 0031 is not phb\.domain 0030$'
expect_exit 2 "$TCESIM" run --set devices.0.rid=0030:01:00.0 --set devices.1.rid=0031:02:00.0
expect_err '^devices\.1\.rid: domain 0031, but devices\.0.s is 0030 \(a PHB is one PCI domain: phb\.domain\)$'
expect_exit 2 "$TCESIM" run --set phb.domain=0x10000
expect_err '^phb\.domain: must be'
printf '%s\ndevice id=0 rid=0030:01:00.0\ndevice id=1 rid=0031:02:00.0\n' "$hdr" >"$TMP/two.trace"
expect_exit 2 "$TCESIM" run --trace "$TMP/two.trace"
expect_err 'two\.trace:3: rid 0031:02:00\.0: domain 0031, but device 0 \(line 2\) is in 0030 \(a trace is one PHB: one PCI domain\)$'
printf '%s\ndevice id=0 rid=0030:01:00.0\n0 cpu0 map dev=0 h=1 size=4096 dir=bidirectional\n100 dev0 read h=1 off=0 len=64\n' \
  "$hdr" >"$TMP/dom.trace"
expect_exit 2 "$TCESIM" run --trace "$TMP/dom.trace" --set phb.domain=0x31
expect_err 'dom\.trace: dev0 rid 0030:01:00\.0: domain 0030 is not phb\.domain 0031$'
expect_exit 2 "$TCESIM" run --trace "$TMP/dom.trace" --set devices.1.rid=0031:02:00.0
expect_err '^devices\.1\.rid: domain 0031 is not phb\.domain 0030 \(.*dom\.trace.s devices are in it\)$'
# the domain survives the binary format and back
expect_exit 0 "$TCESIM" trace convert "$TMP/dom.trace" "$TMP/dom.bin"
expect_exit 0 "$TCESIM" trace convert "$TMP/dom.bin" "$TMP/back.trace"
expect_eq "$(grep '^device' "$TMP/back.trace")" "device id=0 rid=0030:01:00.0" "domain through .bin"
# two traces of two domains do not merge into one PHB
sed 's/0030:/0031:/' "$TMP/dom.trace" >"$TMP/dom31.trace"
expect_exit 2 "$TCESIM" trace merge "$TMP/dom.trace" "$TMP/dom31.trace" -o "$TMP/m.trace" --renumber-rids
expect_err 'merge: .*dom31\.trace dev0 is in PCI domain 0031, .*dom\.trace dev0 in 0030 \(one PHB is one domain\)$'

# ---- an imported trace sets phb.domain: its device lines carry the domain
expect_exit 0 "$TCESIM" import trace-cmd "$DATA/tracecmd_sample.txt" -o "$TMP/imp.trace"
expect_eq "$(grep -c '^device id=[0-9]* rid=0030:' "$TMP/imp.trace")" 3 "imported declarations carry domain 0030"
expect_exit 0 "$TCESIM" run --trace "$TMP/imp.trace" --json "$TMP/imp.json"
expect_eq "$(json_get "$TMP/imp.json" config.phb.domain)" 48 "phb.domain from the import (0x30)"
expect_eq "$(json_get "$TMP/imp.json" devices.0.rid)" "0030:01:00.0" "the report's RID, canonical"
expect_eq "$(json_get "$TMP/imp.json" groups.0.name)" "domain48-pe1" "IOMMU group named by the domain"
# a report of two domains: refused, or one imported with --domain
printf '%s\n%s\n' \
  '            nvme-1234  [001] 5000.000100: dma_map_page:         0030:01:00.0 dir=TO_DEVICE dma_addr=80001000 size=4096 phys_addr=2001000 attrs=' \
  '            nvme-1234  [001] 5000.000200: dma_map_page:         0031:01:00.0 dir=TO_DEVICE dma_addr=80002000 size=4096 phys_addr=2002000 attrs=' \
  >"$TMP/two.txt"
expect_exit 2 "$TCESIM" import trace-cmd "$TMP/two.txt" -o "$TMP/two_imp.trace"
expect_err 'two\.txt:2: 0031:01:00\.0 is in PCI domain 0031, but 0030:01:00\.0 \(line 1\) is in 0030: a trace is one PHB, one domain \(import one: --domain 0x30\)$'
expect_exit 0 "$TCESIM" import trace-cmd "$TMP/two.txt" -o "$TMP/two_imp.trace" --domain 0x31
expect_eq "$(grep '^device' "$TMP/two_imp.trace")" "device id=0 rid=0031:01:00.0 pe=1 dma_mask_bits=32" "--domain picks one"

# ---- device ids: any declared id below 4096, and only those
printf '{"devices": [{"rid": "01:00.0", "pe": 1}]}\n' >"$TMP/one.json"
{
  echo "$hdr"
  echo "device id=200 rid=20:00.0"
  echo "device id=300 rid=30:00.0"
  echo "device id=4095 rid=fe:1f.7"
  for d in 200 300 4095; do echo "0 cpu0 map dev=$d h=$d size=4096 dir=bidirectional"; done
  for d in 200 300 4095; do echo "100 dev$d write h=$d off=0 len=64"; done
} >"$TMP/ids.trace"
expect_exit 0 "$TCESIM" run "$TMP/one.json" --trace "$TMP/ids.trace" --json "$TMP/ids.json"
expect_eq "$(ids "$TMP/ids.json")" "0 200 300 4095" "the report lists the declared devices, none made up"
expect_eq "$(json_get "$TMP/ids.json" devices.3.writes)" 1 "dev4095 wrote"
expect_eq "$(cat "$TMP/err")" "" "nothing lost, nothing to say"
grep -q '^  dev4095 ' "$TMP/out" && ok || bad "the text report lists dev4095"
printf '%s\ndevice id=4096 rid=01:00.0\n' "$hdr" >"$TMP/big.trace"
expect_exit 2 "$TCESIM" run --trace "$TMP/big.trace"
expect_err 'big\.trace:2: device id 4096 out of range \(must be < 4096\)$'
printf '%s\n0 cpu0 map dev=4096 h=1 size=4096 dir=bidirectional\n' "$hdr" >"$TMP/big2.trace"
expect_exit 2 "$TCESIM" run --trace "$TMP/big2.trace"
expect_err 'big2\.trace:2: dev 4096 out of range'
# declaring dev6 creates no dev4 and dev5: an undeclared dev5 is refused
printf '%s\ndevice id=6 rid=06:00.0\n0 cpu0 map dev=6 h=1 size=4096 dir=bidirectional\n100 dev5 read h=1 off=0 len=64\n' \
  "$hdr" >"$TMP/d5.trace"
expect_exit 2 "$TCESIM" run "$TMP/one.json" --trace "$TMP/d5.trace"
expect_err 'd5\.trace:4: dev5 is not declared \(neither devices\.5 nor a device line of the trace\)$'
printf '%s\ndevice id=6 rid=06:00.0\n0 cpu0 map dev=5 h=1 size=4096 dir=bidirectional\n' "$hdr" >"$TMP/d5h.trace"
expect_exit 2 "$TCESIM" run "$TMP/one.json" --trace "$TMP/d5h.trace"
expect_err 'd5h\.trace:3: dev=5 is not declared'
sed '$d' "$TMP/d5.trace" >"$TMP/d6.trace"
expect_exit 0 "$TCESIM" run "$TMP/one.json" --trace "$TMP/d6.trace" --json "$TMP/d6.json"
expect_eq "$(ids "$TMP/d6.json")" "0 6" "dev6 declared: no dev1..dev5"

# ---- a trace's device line takes precedence over the config, and says so
printf '{"devices": [{"rid": "01:00.0", "pe": 1, "dma_mask_bits": 64}]}\n' >"$TMP/m64.json"
printf '%s\ndevice id=0 rid=0000:01:00.0 dma_mask_bits=32\n0 cpu0 map dev=0 h=1 size=4096 dir=bidirectional\n' "$hdr" >"$TMP/m32.trace"
expect_exit 0 "$TCESIM" run "$TMP/m64.json" --trace "$TMP/m32.trace" --json "$TMP/m.json"
expect_err "^tcesim: note: .*m32\.trace's device lines take precedence over the config: devices\.0\.dma_mask_bits 64 -> 32$"
expect_eq "$(json_get "$TMP/m.json" devices.0.dma_mask_bits)" 32 "the declaration's mask"
# a default it replaces is no news
expect_exit 0 "$TCESIM" run --trace "$TMP/m32.trace"
expect_eq "$(cat "$TMP/err")" "" "no note over defaults"

finish
