# Nothing in the repository points at files outside it: no citation of the
# planning documents that live beside a checkout (their facts are cited by
# primary source: kernel function and version, skiboot file, paper), no
# absolute paths into the workspace, and every relative link in a Markdown
# file resolves inside the tree.
. "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files=$(git ls-files)
else
  files=$(find . -type f ! -path './build*' ! -path './.git/*' | sed 's|^\./||')
fi
# this test names the patterns it forbids
files=$(echo "$files" | grep -v '^tests/cli/test_no_outside_refs.sh$')
pat='INTERFACE\.md|powernv-dma\.md|anchors\.md|ARCHITECTURE-SKETCH|STYLE\.md|shared/reference|/work/'
hits=$(echo "$files" | xargs grep -EnI "$pat" 2>/dev/null | cut -c1-160)
if [ -z "$hits" ]; then ok; else bad "references outside the repository:
$hits"; fi
# Relative Markdown links: [text](path) and [text](path#anchor).
broken=$(echo "$files" | grep '\.md$' | while read -r md; do
  dir=$(dirname "$md")
  grep -o '\]([^)#]*[)#]' "$md" | sed 's/^](//; s/[)#]$//' | while read -r link; do
    case "$link" in ''|http://*|https://*|mailto:*) continue ;; esac
    [ -e "$dir/$link" ] || echo "$md: $link"
  done
done)
if [ -z "$broken" ]; then ok; else bad "Markdown links that do not resolve:
$broken"; fi
finish
