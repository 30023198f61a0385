# tcesim report on a damaged run report (issue 13): one line, exit 2,
# `FILE:LINE: ...` for JSON syntax and `FILE: field: what is wrong` for
# content, never a traceback; no page is written.
. "$(dirname "$0")/lib.sh"

if ! /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  echo "SKIP: Debian's python3-matplotlib is not installed (scripts/setup.sh installs it)"
  exit 0
fi
PY=/usr/bin/python3
R=$TMP/r.json
expect_exit 0 "$TCESIM" run "$BW" --set workload.count=2000 --set iommu.pools=2 --json "$R"
expect_exit 0 "$TCESIM" report "$R" -o "$TMP/ok.html"

# damaged FILE REGEX : report on FILE exits 2 with one line matching REGEX, no page
damaged() {
  rm -f "$TMP/p.html"
  expect_exit 2 "$TCESIM" report "$1" -o "$TMP/p.html"
  expect_err "$2"
  [ -e "$TMP/p.html" ] && bad "$1: a page was written" || ok
}

head -c 700 "$R" > "$TMP/trunc.json"
damaged "$TMP/trunc.json" "^$TMP/trunc.json:[0-9]+: .*(end of file|premature end of input)"
printf '{"schema":"tcesim.report/1"}' > "$TMP/hollow.json"
damaged "$TMP/hollow.json" "^$TMP/hollow.json: run: missing"
printf '{"schema":"tcesim.report/2","run":{}}' > "$TMP/other.json"
damaged "$TMP/other.json" "^$TMP/other.json: schema: not a tcesim report \(expected \"tcesim.report/1\"\)$"
printf '[1, 2]' > "$TMP/array.json"
damaged "$TMP/array.json" "^$TMP/array.json: \(the document\): expected a tcesim.report/1 object, got an array$"
printf '{"schema":"tcesim.report/1","schema":"x"}' > "$TMP/dup.json"
damaged "$TMP/dup.json" "^$TMP/dup.json:1: duplicate object key"
# the second report of a comparison is checked too
damaged_cmp() {
  rm -f "$TMP/p.html"
  expect_exit 2 "$TCESIM" report "$R" "$1" -o "$TMP/p.html"
  expect_err "$2"
}
damaged_cmp "$TMP/hollow.json" "^$TMP/hollow.json: run: missing"

# Every third field of the schema present in the report, given the wrong
# JSON form, is named with its path (array elements by index).
"$TCESIM" report --fields | cut -f1,3 > "$TMP/fields.tsv"
$PY - "$R" "$TMP/fields.tsv" "$TMP/mut" <<'EOF'
import json, os, sys
src = json.load(open(sys.argv[1]))
os.mkdir(sys.argv[3])
n = 0
for i, line in enumerate(open(sys.argv[2])):
    path, fmt = line.rstrip("\n").split("\t")
    if i % 3:
        continue
    d = json.loads(json.dumps(src))
    x, where, ok = d, [], True
    parts = path.split(".")
    for j, p in enumerate(parts):
        arr = p.endswith("[]")
        p = p[:-2] if arr else p
        if not isinstance(x, dict) or p not in x:
            ok = False
            break
        if j == len(parts) - 1:
            break
        x = x[p]
        where.append(p)
        if arr:
            if not x:
                ok = False
                break
            x = x[0]
            where.append("0")
    if not ok:
        continue
    p = parts[-1][:-2] if parts[-1].endswith("[]") else parts[-1]
    # a form no field of this kind accepts
    x[p] = "x" if fmt not in ("string", "integer") else {"x": 1}
    where.append(p)
    n += 1
    with open(os.path.join(sys.argv[3], "%03d.json" % n), "w") as f:
        json.dump(d, f)
    with open(os.path.join(sys.argv[3], "%03d.want" % n), "w") as f:
        f.write(".".join(where))
print(n)
EOF
n=$(ls "$TMP/mut"/*.json | wc -l)
[ "$n" -ge 50 ] && ok || bad "only $n mutated reports"
for f in "$TMP/mut"/*.json; do
  want=$(cat "${f%.json}.want")
  "$TCESIM" report "$f" -o "$TMP/p.html" >/dev/null 2>"$TMP/err"
  rc=$?
  [ "$rc" -eq 2 ] || { bad "$want given the wrong form: exit $rc ($(head -c 200 "$TMP/err"))"; continue; }
  expect_err "^$f: $want(\.[a-z0-9_]+)?: expected "
done

# Fields the page reads that a report lacks: deleting each key down to
# depth 2 (array elements: the first) gives a page or one line naming the
# key, never a crash (report.py in-process, plots not rendered).
$PY - "$SRC/scripts" "$R" <<'EOF' >"$TMP/del.out" 2>"$TMP/del.err"
import copy, json, sys
sys.path.insert(0, sys.argv[1])
import report
report.setup_matplotlib()
report.png = lambda fig, alt: (report.plt.close(fig), "")[1]
src = json.load(open(sys.argv[2]))
def keys(v, path=()):
    if len(path) >= 2:
        return
    if isinstance(v, dict):
        for k, x in v.items():
            yield path + (k,)
            yield from keys(x, path + (k,))
    elif isinstance(v, list) and v:
        yield from keys(v[0], path + (0,))
n = crashes = named = 0
for p in keys(src):
    if p[0] in ("config", "schema") or isinstance(p[-1], int):
        continue
    d = copy.deepcopy(src)
    x = d
    for k in p[:-1]:
        x = x[k]
    del x[p[-1]]
    n += 1
    try:
        report.run_page("r.json", report.with_paths(d, "r.json"))
    except report.InputError as e:
        if ": %s: missing" % ".".join(map(str, p)) not in str(e) and p[0] not in ("run", "translation", "dma"):
            print("deleting %s: %s" % (".".join(map(str, p)), e))
            crashes += 1
        named += 1
    except Exception as e:
        crashes += 1
        print("deleting %s: %s: %s" % (".".join(map(str, p)), type(e).__name__, e))
print("%d deletions, %d named, %d crashes" % (n, named, crashes))
EOF
if grep -q " 0 crashes$" "$TMP/del.out" && [ "$(awk '{print $1}' <"$TMP/del.out" | tail -1)" -ge 60 ]; then ok
else bad "report.py on reports with a field deleted: $(tail -5 "$TMP/del.out") $(tail -3 "$TMP/del.err")"; fi
cat "$TMP/del.out"
finish
