#!/usr/bin/env python3
"""Writes the report samples of tests/data/import/ (README.md says how each
form follows from the kernel's TP_printk strings and the readers' printing).
One list of events per kernel generation, printed by each reader; run it from
this directory and commit its output. The expected traces (*.expected.trace)
are not written here: they were written by hand and checked against the
importer."""
import struct

# Devices: A = NVMe on the 32-bit TCE window, B = NIC in the TVE#1 bypass
# (bus = pa + 2^59), C = accelerator on PHB3's TVE#0 64-bit bypass (>= 4 GiB).
A, B, C = "0030:01:00.0", "0030:02:00.0", "0030:03:00.0"
SG_PHYS = [0x4000800, 0x4100000, 0x4200000]   # 3 inputs merged into 1 output
SG_DMA, SG_LEN = [0x80010800], [7144]
DIRN = {"BIDIRECTIONAL": 0, "TO_DEVICE": 1, "FROM_DEVICE": 2}


def arr(vals):                       # trace_print_array_seq / libtraceevent >= 1.8.4
    return "{" + ",".join("0x%x" % v for v in vals) + "}"


def raw(vals, size, big):            # print_field_raw, libtraceevent <= 1.8.3
    b = b"".join(struct.pack((">" if big else "<") + ("Q" if size == 8 else "I"), v) for v in vals)
    return "ARRAY[" + ", ".join("%02x" % x for x in b) + "]"


# Each event: (comm, pid, cpu, usecs after 5000 s, name, text by reader)
# text(reader) with reader in {"new", "old"}: libtraceevent >= 1.8.4 (also
# the kernel's trace file and perf) or <= 1.8.3 ([FAILED TO PARSE] raw dump).
def ev_612():
    E = []
    def add(comm, pid, cpu, us, name, new, old=None):
        E.append((comm, pid, cpu, us, name, new, old if old is not None else new))
    add("nvme", 1234, 1, 100, "dma_map_page",
        f"{A} dir=TO_DEVICE dma_addr=80001000 size=4096 phys_addr=2001000 attrs=")
    add("kworker/0:1", 77, 0, 110, "dma_map_sg",
        f"{A} dir=FROM_DEVICE dma_addrs={arr(SG_DMA)} sizes={arr(SG_LEN)} phys_addrs={arr(SG_PHYS)} attrs=",
        f"[FAILED TO PARSE] device={A} phys_addrs={raw(SG_PHYS, 8, False)} "
        f"dma_addrs={raw(SG_DMA, 8, False)} lengths={raw(SG_LEN, 4, False)} dir=2 attrs=0x0")
    add("modprobe", 400, 0, 140, "dma_alloc",
        f"{A} dma_addr=80100000 size=16384 phys_addr=8000000 flags=GFP_KERNEL|__GFP_ZERO attrs=")
    add("p2pdma", 500, 3, 145, "dma_map_resource",
        f"{A} dir=BIDIRECTIONAL dma_addr=80200000 size=4096 phys_addr=9000000 attrs=")
    add("eth0-rx", 501, 2, 150, "dma_map_page",
        f"{B} dir=FROM_DEVICE dma_addr=800000005000000 size=1500 phys_addr=5000000 attrs=")
    add("nvme", 1234, 1, 160, "dma_unmap_page",
        f"{A} dir=TO_DEVICE dma_addr=80001000 size=4096 attrs=")
    add("kworker/0:1", 77, 0, 170, "dma_unmap_sg",
        f"{A} dir=FROM_DEVICE phys_addrs={arr(SG_PHYS)} attrs=",
        f"[FAILED TO PARSE] device={A} addrs={raw(SG_PHYS, 8, False)} dir=2 attrs=0x0")
    add("p2pdma", 500, 3, 175, "dma_unmap_resource",
        f"{A} dir=BIDIRECTIONAL dma_addr=80200000 size=4096 attrs=")
    add("modprobe", 400, 0, 180, "dma_free",
        f"{A} dma_addr=80100000 size=16384 phys_addr=8000000 attrs=")
    add("eth0-rx", 501, 2, 190, "dma_unmap_page",
        f"{B} dir=FROM_DEVICE dma_addr=800000005000000 size=1500 attrs=")
    return E


def ev_new(big):
    E = []
    def add(comm, pid, cpu, us, name, new, old=None):
        E.append((comm, pid, cpu, us, name, new, old if old is not None else new))
    add("nvme", 1234, 1, 100, "dma_map_phys",
        f"{A} dir=TO_DEVICE dma_addr=80001000 size=4096 phys_addr=2001000 attrs=")
    add("nvme", 1234, 1, 105, "dma_map_phys",   # failed: DMA_MAPPING_ERROR
        f"{A} dir=TO_DEVICE dma_addr=ffffffffffffffff size=4096 phys_addr=2002000 attrs=")
    add("kworker/0:1", 77, 0, 110, "dma_map_sg",
        f"{A} dir=FROM_DEVICE nents=3/3 ents=1/1 dma_addrs={arr(SG_DMA)} sizes={arr(SG_LEN)} "
        f"phys_addrs={arr(SG_PHYS)} attrs=",
        f"[FAILED TO PARSE] device={A} full_nents=3 full_ents=1 truncated=0 "
        f"phys_addrs={raw(SG_PHYS, 8, big)} dma_addrs={raw(SG_DMA, 8, big)} "
        f"lengths={raw(SG_LEN, 4, big)} dir=2 attrs=0x0")
    add("kworker/0:1", 77, 0, 115, "dma_map_sg_err",
        f"{A} dir=TO_DEVICE dma_addrs={arr([0x4300000])} err=-12 attrs=",
        f"[FAILED TO PARSE] device={A} phys_addrs={raw([0x4300000], 8, big)} err=-12 dir=1 attrs=0x0")
    add("modprobe", 400, 0, 140, "dma_alloc",
        f"{A} dir=BIDIRECTIONAL dma_addr=80100000 size=16384 virt_addr=0xc000000008000000 "
        f"flags=GFP_KERNEL|__GFP_ZERO attrs=")
    add("accel", 600, 3, 142, "dma_alloc_pages",
        f"{C} dir=FROM_DEVICE dma_addr=100020000 size=65536 virt_addr=0xc00000000c000000 flags=GFP_KERNEL attrs=")
    add("accel", 600, 3, 144, "dma_alloc_sgt",
        f"{C} dir=TO_DEVICE dma_addr=100040000 size=8192 phys_addrs={arr([0xa000000])} flags=GFP_KERNEL attrs=",
        f"[FAILED TO PARSE] device={C} phys_addrs={raw([0xa000000], 8, big)} dma_addr=4295229440 "
        f"size=8192 dir=1 flags=3264 attrs=0x0")
    add("accel", 600, 3, 146, "dma_alloc_sgt_err",
        f"{C} dir=TO_DEVICE dma_addr=0 size=8192 virt_addr=(nil) flags=GFP_KERNEL attrs=")
    add("eth0-rx", 501, 2, 150, "dma_map_phys",
        f"{B} dir=FROM_DEVICE dma_addr=800000005000000 size=1500 phys_addr=5000000 attrs=")
    add("nvme", 1234, 1, 160, "dma_unmap_phys",
        f"{A} dir=TO_DEVICE dma_addr=80001000 size=4096 attrs=")
    add("kworker/0:1", 77, 0, 170, "dma_unmap_sg",
        f"{A} dir=FROM_DEVICE phys_addrs={arr(SG_PHYS)} attrs=",
        f"[FAILED TO PARSE] device={A} addrs={raw(SG_PHYS, 8, big)} dir=2 attrs=0x0")
    add("modprobe", 400, 0, 180, "dma_free",
        f"{A} dir=BIDIRECTIONAL dma_addr=80100000 size=16384 virt_addr=0xc000000008000000 attrs=")
    add("accel", 600, 3, 182, "dma_free_pages",
        f"{C} dir=FROM_DEVICE dma_addr=100020000 size=65536 virt_addr=0xc00000000c000000 attrs=")
    add("accel", 600, 3, 184, "dma_free_sgt",
        f"{C} dir=TO_DEVICE dma_addr=100040000 size=8192 phys_addrs={arr([0xa000000])}",
        f"[FAILED TO PARSE] device={C} phys_addrs={raw([0xa000000], 8, big)} dma_addr=4295229440 "
        f"size=8192 dir=1")
    add("eth0-rx", 501, 2, 190, "dma_unmap_phys",
        f"{B} dir=FROM_DEVICE dma_addr=800000005000000 size=1500 attrs=")
    return E


def tracecmd(E, reader, ns, flags):
    out = ["cpus=4"]
    for comm, pid, cpu, us, name, new, old in E:
        text = new if reader == "new" else old
        ts = "5000.%09d" % (us * 1000) if ns else "5000.%06d" % us
        fl = " d..1." if flags else ""
        out.append("%16s-%-5d [%03d]%s %s: %-20s %s" % (comm, pid, cpu, fl, ts, name + ":", text))
    return "\n".join(out) + "\n"


def kernel_trace(E):
    hdr = """# tracer: nop
#
# entries-in-buffer/entries-written: %d/%d   #P:4
#
#                                _-----=> irqs-off/BH-disabled
#                               / _----=> need-resched
#                              | / _---=> hardirq/softirq
#                              || / _--=> preempt-depth
#                              ||| / _-=> migrate-disable
#                              |||| /     delay
#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
#              | |         |   |||||     |         |""" % (len(E), len(E))
    out = [hdr]
    for comm, pid, cpu, us, name, new, old in E:
        # the kernel hashes %p (lib/vsprintf.c ptr_to_id): 16 hex digits, no 0x
        text = new.replace("virt_addr=0xc000000008000000", "virt_addr=000000003c1f8e2a") \
                  .replace("virt_addr=0xc00000000c000000", "virt_addr=00000000d4e6a907") \
                  .replace("virt_addr=(nil)", "virt_addr=0000000000000000")
        out.append("%16s-%-7d [%03d] ..... %5d.%06d: %s: %s" % (comm, pid, cpu, 5000, us, name, text))
    return "\n".join(out) + "\n"


def perf_script(E):
    out = []
    for comm, pid, cpu, us, name, new, old in E:
        out.append("%16s %6d [%03d] %5d.%06d: %-24s %s" % (comm, pid, cpu, 5000, us, "dma:" + name + ":", new))
    return "\n".join(out) + "\n"


def truncated():
    """Newer kernel, libtraceevent >= 1.8.4: two dma_map_sg over the 128-entry cap.
    B (bypass, no merging): 130 inputs, 130 outputs of 4096: 2 hidden.
    A (TCE window): 140 inputs merged into 120 outputs: 100 of one page, then
    20 of two pages (two inputs each); 128 inputs printed, all 120 outputs."""
    out = ["cpus=4"]
    pb = [0x10000000 + 0x1000 * i for i in range(130)]
    db = [(1 << 59) + p for p in pb]
    def line(comm, pid, cpu, us, name, text):
        return "%16s-%-5d [%03d] d..1. 5000.%06d: %-20s %s" % (comm, pid, cpu, us, name + ":", text)
    out.append(line("eth0-rx", 501, 2, 100, "dma_map_sg",
                    f"{B} dir=TO_DEVICE nents=128/130 ents=128/130 [TRUNCATED] dma_addrs={arr(db[:128])} "
                    f"sizes={arr([4096] * 128)} phys_addrs={arr(pb[:128])} attrs="))
    pa = [0x20000000 + 0x1000 * i for i in range(140)]
    da, la = [], []
    for j in range(100):
        da.append(0x80000000 + 0x1000 * j); la.append(4096)
    for j in range(20):
        da.append(0x80000000 + 0x100000 + 0x2000 * j); la.append(8192)
    out.append(line("nvme", 1234, 1, 110, "dma_map_sg",
                    f"{A} dir=FROM_DEVICE nents=128/140 ents=120/120 [TRUNCATED] dma_addrs={arr(da)} "
                    f"sizes={arr(la)} phys_addrs={arr(pa[:128])} attrs="))
    # dma_unmap_sg is not capped (TP_STRUCT__entry addrs[nents])
    out.append(line("eth0-rx", 501, 2, 200, "dma_unmap_sg",
                    f"{B} dir=TO_DEVICE phys_addrs={arr(pb)} attrs="))
    out.append(line("nvme", 1234, 1, 210, "dma_unmap_sg",
                    f"{A} dir=FROM_DEVICE phys_addrs={arr(pa)} attrs="))
    return "\n".join(out) + "\n"


files = {
    "k612_tracecmd.txt": tracecmd(ev_612(), "new", False, False),
    "k612_tracecmd_old.txt": tracecmd(ev_612(), "old", False, False),
    "knew_tracecmd.txt": tracecmd(ev_new(False), "new", True, True),
    "knew_tracecmd_old_be.txt": tracecmd(ev_new(True), "old", True, True),
    "knew_tracecmd_old_le.txt": tracecmd(ev_new(False), "old", False, True),
    "knew_ftrace.txt": kernel_trace(ev_new(False)),
    "knew_perf.txt": perf_script(ev_new(False)),
    "knew_truncated.txt": truncated(),
}
for name, text in files.items():
    with open(name, "w") as f:
        f.write(text)
