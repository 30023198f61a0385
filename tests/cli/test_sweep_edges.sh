# tcesim sweep's edges (issue 13): every point's platform is checked before
# any runs, named in user terms.
. "$(dirname "$0")/lib.sh"

# ---- Every point's platform is checked before any point runs.
P=$TMP/plat
expect_exit 2 "$TCESIM" sweep phb4 --vary iommu.page_size=4K,16M --out "$P"
expect_err '^iommu\.page_size: 16M is not a TCE page size PHB4 supports \(4K 64K 2M 1G\) \(point iommu\.page_size=16M\)$'
[ ! -e "$P" ] && ok || bad "a platform error created the sweep directory"
expect_exit 2 "$TCESIM" sweep phb4 --vary pes.1.page_size=64K,16M --out "$P"
expect_err '^pes\.1\.page_size: 16M is not a TCE page size PHB4 supports'
expect_exit 2 "$TCESIM" sweep phb3 --vary iommu.levels=1,5 --out "$P"
expect_err '^iommu\.levels: the kernel rejects window [0-9]+[KMGT]?, '
# tcesim run says it the same way (no hex, the key the user set).
expect_exit 2 "$TCESIM" run phb4 --set iommu.page_size=16M
expect_err '^iommu\.page_size: 16M is not a TCE page size PHB4 supports \(4K 64K 2M 1G\)$'

finish
