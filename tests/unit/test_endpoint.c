/* The endpoint and its link: TLP splitting (MRRS, MPS, 4 KiB boundaries),
 * wire bytes (3DW/4DW headers), link rates, tags and completions. Every
 * figure is hand-computed:
 *   wire ps = ceil(bytes * 8 * 10^6 * enc_den / (MT/s * enc_num * width))
 *   Gen3 x8 (8000 MT/s, 128b/130b): 20 B -> 2540 ps, 84 B -> 10665 ps,
 *   64 B -> 8125 ps exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/tcesim_err.h"
#include "endpoint/endpoint.h"

static ep_params gen3x8(uint32_t mps, uint32_t mrrs, uint32_t tags)
{
    return (ep_params){.link = {.gen = 3, .width = 8}, .mps = mps, .mrrs = mrrs, .tags = tags};
}

static void check_count(const ep_params *p, uint64_t addr, uint64_t len, bool is_write,
                        uint64_t requests, uint64_t completions, uint64_t up, uint64_t down)
{
    ep_tlp_count c;
    ep_count(p, addr, len, is_write, &c);
    if (c.requests != requests || c.completions != completions || c.up_bytes != up ||
        c.down_bytes != down)
        fail_msg("%s of %llu B at 0x%llx: got %llu req %llu cpl %llu up %llu down, want %llu %llu %llu %llu",
                 is_write ? "write" : "read", (unsigned long long)len, (unsigned long long)addr,
                 (unsigned long long)c.requests, (unsigned long long)c.completions,
                 (unsigned long long)c.up_bytes, (unsigned long long)c.down_bytes,
                 (unsigned long long)requests, (unsigned long long)completions,
                 (unsigned long long)up, (unsigned long long)down);
}

/* ---- splitting and wire bytes ---- */

static void read_of_64_bytes_is_one_request_one_completion(void **state)
{
    (void)state;
    ep_params p = gen3x8(256, 512, 32);
    /* MRd 3DW 20 B up; CplD 20 + 64 down */
    check_count(&p, 0, 64, false, 1, 1, 20, 84);
    /* a write of 64 B: one MWr of 20 + 64 */
    check_count(&p, 0, 64, true, 1, 0, 84, 0);
}

static void write_crossing_4k_boundary_splits_there(void **state)
{
    (void)state;
    ep_params p = gen3x8(256, 512, 32);
    /* 256 B at 0xf80: 128 B up to 0x1000, then 128 B */
    check_count(&p, 0xf80, 256, true, 2, 0, 2 * 20 + 256, 0);
    /* the same for a read: two MRd, one CplD each */
    check_count(&p, 0xf80, 256, false, 2, 2, 2 * 20, 2 * 20 + 256);
}

static void read_of_4k_splits_at_mrrs_and_completions_at_mps(void **state)
{
    (void)state;
    ep_params p = gen3x8(256, 512, 32);
    /* 8 MRd of 512 B, each answered by 2 CplD of 256 B */
    check_count(&p, 0, 4096, false, 8, 16, 8 * 20, 16 * 20 + 4096);
    /* a 4 KiB write at MPS 256: 16 MWr */
    check_count(&p, 0, 4096, true, 16, 0, 16 * 20 + 4096, 0);
}

static void access_of_1500_bytes_at_4000_splits_at_the_boundary_first(void **state)
{
    (void)state;
    ep_params p = gen3x8(256, 512, 32);
    /* read: 96 (to 4096), 512, 512, 380; completions 1 + 2 + 2 + 2 = 7 */
    check_count(&p, 4000, 1500, false, 4, 7, 4 * 20, 7 * 20 + 1500);
    /* write: 96, 5 x 256, 124 = 7 MWr */
    check_count(&p, 4000, 1500, true, 7, 0, 7 * 20 + 1500, 0);
}

static void addresses_above_4g_use_24_byte_headers(void **state)
{
    (void)state;
    ep_params p = gen3x8(256, 512, 32);
    assert_int_equal(ep_req_hdr_bytes(0xffffffffull), 20);
    assert_int_equal(ep_req_hdr_bytes(0x100000000ull), 24);
    check_count(&p, 0x100000000ull, 64, false, 1, 1, 24, 84); /* CplD stays 20 */
    check_count(&p, 0x100000000ull, 64, true, 1, 0, 24 + 64, 0);
    /* 128 B write at 0xffffffc0 crosses 4 KiB at 4 GiB: a 3DW then a 4DW */
    check_count(&p, 0xffffffc0ull, 128, true, 2, 0, 20 + 24 + 128, 0);
}

static void empty_access_has_no_tlps(void **state)
{
    (void)state;
    ep_params p = gen3x8(256, 512, 32);
    check_count(&p, 0x1234, 0, false, 0, 0, 0, 0);
    check_count(&p, 0x1234, 0, true, 0, 0, 0, 0);
}

static void tlp_len_is_min_of_len_max_and_distance_to_4k(void **state)
{
    (void)state;
    assert_int_equal(ep_tlp_len(0, 1000, 256), 256);
    assert_int_equal(ep_tlp_len(0, 100, 256), 100);
    assert_int_equal(ep_tlp_len(4090, 100, 256), 6);
    assert_int_equal(ep_tlp_len(4096, 100, 256), 100);
}

/* ---- link ---- */

static void link_parse_accepts_any_case_and_spacing(void **state)
{
    (void)state;
    ep_link l;
    assert_int_equal(ep_link_parse("gen3x8", &l), TCESIM_OK);
    assert_int_equal(l.gen, 3);
    assert_int_equal(l.width, 8);
    assert_int_equal(ep_link_parse("GEN4X16", &l), TCESIM_OK);
    assert_int_equal(l.gen, 4);
    assert_int_equal(l.width, 16);
    assert_int_equal(ep_link_parse("Gen5 x32", &l), TCESIM_OK);
    assert_int_equal(l.gen, 5);
    assert_int_equal(l.width, 32);
    assert_int_equal(ep_link_parse("gen1x1", &l), TCESIM_OK);
}

static void link_parse_rejects_bad_links(void **state)
{
    (void)state;
    static const char *bad[] = {
        "", "gen3", "x8", "gen3x", "gen6x8", "gen0x8", "gen3x3", "gen3x64", "gen3x0",
        "gen3x8z", "pcie3x8", "gen3x8x8", "gen3x-8",
        "gen3x8                                              long", /* > buffer */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ep_link l = {0};
        if (ep_link_parse(bad[i], &l) != TCESIM_EINVAL)
            fail_msg("\"%s\" accepted", bad[i]);
    }
}

static void wire_time_rounds_up_per_rate_and_encoding(void **state)
{
    (void)state;
    ep_link g3x8 = {3, 8};
    /* 64 * 8 * 10^6 * 130 / (8000 * 128 * 8) = 8125 exactly */
    assert_int_equal(ep_link_wire_ps(&g3x8, 64), 8125);
    /* 20 B: 2539.06 -> 2540; 84 B: 10664.06 -> 10665 */
    assert_int_equal(ep_link_wire_ps(&g3x8, 20), 2540);
    assert_int_equal(ep_link_wire_ps(&g3x8, 84), 10665);
    /* Gen1 x1, 8b/10b: a byte is 10 bits at 2.5 GT/s = 4000 ps */
    ep_link g1x1 = {1, 1};
    assert_int_equal(ep_link_wire_ps(&g1x1, 1), 4000);
    /* Gen4 x16: 64 B = 2031.25 -> 2032 */
    ep_link g4x16 = {4, 16};
    assert_int_equal(ep_link_wire_ps(&g4x16, 64), 2032);
    assert_int_equal(ep_link_wire_ps(&g4x16, 0), 0);
}

/* ---- parameters ---- */

static void init_rejects_out_of_range_parameters(void **state)
{
    (void)state;
    endpoint e;
    ep_params p = gen3x8(64, 512, 32);
    assert_int_equal(ep_init(&e, &p), TCESIM_EINVAL);
    p = gen3x8(256, 8192, 32);
    assert_int_equal(ep_init(&e, &p), TCESIM_EINVAL);
    p = gen3x8(384, 512, 32);
    assert_int_equal(ep_init(&e, &p), TCESIM_EINVAL);
    p = gen3x8(256, 512, 0);
    assert_int_equal(ep_init(&e, &p), TCESIM_EINVAL);
    p = gen3x8(256, 512, EP_MAX_TAGS + 1);
    assert_int_equal(ep_init(&e, &p), TCESIM_EINVAL);
    p = gen3x8(256, 512, 32);
    p.link.gen = 6;
    assert_int_equal(ep_init(&e, &p), TCESIM_EINVAL);
    p = gen3x8(4096, 128, EP_MAX_TAGS);
    assert_int_equal(ep_init(&e, &p), TCESIM_OK);
    ep_destroy(&e);
    ep_destroy(NULL);
}

/* ---- requests, tags, completions ---- */

static void requests_serialise_on_the_upstream_link(void **state)
{
    (void)state;
    endpoint e;
    ep_params p = gen3x8(256, 512, 32);
    assert_int_equal(ep_init(&e, &p), TCESIM_OK);
    assert_int_equal(ep_send_request(&e, 0, 0, false, 1000), 1000 + 2540);
    assert_int_equal(e.last_issue_ps, 1000);
    /* a write of 64 B issued at the same time waits for the MRd */
    assert_int_equal(ep_send_request(&e, 0, 64, true, 1000), 3540 + 10665);
    assert_int_equal(e.last_issue_ps, 1000);  /* issued (no tag needed) at once */
    assert_int_equal(e.last_link_ps, 3540);   /* on the wire after the MRd */
    assert_int_equal(e.st.read_tlps, 1);
    assert_int_equal(e.st.write_tlps, 1);
    assert_int_equal(e.st.up_bytes, 20 + 84);
    ep_destroy(&e);
}

static void third_read_with_two_tags_waits_for_earliest_completion(void **state)
{
    (void)state;
    endpoint e;
    ep_params p = gen3x8(256, 512, 2);
    assert_int_equal(ep_init(&e, &p), TCESIM_OK);
    assert_int_equal(ep_send_request(&e, 0, 0, false, 0), 2540);
    assert_int_equal(ep_send_completions(&e, 64, 100000), 100000 + 10665);
    assert_int_equal(ep_send_request(&e, 64, 0, false, 0), 5080);
    assert_int_equal(ep_send_completions(&e, 64, 50000), 50000 + 10665);
    /* both tags held: the third read waits for the earlier release, 60 665 */
    assert_int_equal(ep_tag_ready(&e, 0), 60665);
    assert_int_equal(ep_tag_ready(&e, 70000), 70000);
    assert_int_equal(ep_send_request(&e, 128, 0, false, 0), 60665 + 2540);
    assert_int_equal(e.last_issue_ps, 60665);
    assert_int_equal(e.st.tag_waits, 1);
    assert_int_equal(e.st.tag_wait_ps, 60665);
    ep_destroy(&e);
}

static void posted_writes_never_wait_for_tags(void **state)
{
    (void)state;
    endpoint e;
    ep_params p = gen3x8(256, 512, 1);
    assert_int_equal(ep_init(&e, &p), TCESIM_OK);
    ep_send_request(&e, 0, 0, false, 0);
    ep_send_completions(&e, 64, 1000000); /* the only tag held until ~1 ms */
    assert_int_equal(ep_send_request(&e, 0, 64, true, 10000), 10000 + 10665);
    assert_int_equal(ep_send_request(&e, 64, 64, true, 10000), 10000 + 2 * 10665);
    assert_int_equal(e.st.tag_waits, 0);
    ep_destroy(&e);
}

static void released_tag_frees_the_next_read_at_release_time(void **state)
{
    (void)state;
    endpoint e;
    ep_params p = gen3x8(256, 512, 1);
    assert_int_equal(ep_init(&e, &p), TCESIM_OK);
    ep_send_request(&e, 0, 0, false, 0);
    ep_release_tag(&e, 40000); /* dropped by the PHB: timed out at 40 000 */
    assert_int_equal(ep_send_request(&e, 0, 0, false, 0), 40000 + 2540);
    assert_int_equal(e.st.tag_wait_ps, 40000);
    ep_destroy(&e);
}

static void completions_split_at_mps_back_to_back(void **state)
{
    (void)state;
    endpoint e;
    ep_params p = gen3x8(256, 512, 32);
    assert_int_equal(ep_init(&e, &p), TCESIM_OK);
    /* 1000 B: 256, 256, 256, 232; 276 B -> 35 040 ps, 252 B -> 31 993 ps;
     * ready at 1000, mid-bin */
    assert_int_equal(ep_send_completions(&e, 1000, 1000), 1000 + 3 * 35040 + 31993);
    assert_int_equal(e.st.cpl_tlps, 4);
    assert_int_equal(e.st.down_bytes, 4 * 20 + 1000);
    ep_destroy(&e);
}

/* Two reads' completions ready 1 ns apart: the second waits for the first
 * to leave the wire (in-order bookings are a busy-until timeline). */
static void completions_of_two_reads_do_not_overlap_on_the_wire(void **state)
{
    (void)state;
    endpoint e;
    ep_params p = gen3x8(256, 512, 32);
    assert_int_equal(ep_init(&e, &p), TCESIM_OK);
    assert_int_equal(ep_send_completions(&e, 64, 1000), 1000 + 10665);
    assert_int_equal(ep_send_completions(&e, 64, 2000), 1000 + 2 * 10665);
    /* one ready later in time but handed over first is served in its own
     * time when the link is idle then */
    assert_int_equal(ep_send_completions(&e, 64, 500000), 500000 + 10665);
    assert_int_equal(ep_send_completions(&e, 64, 100000), 100000 + 10665);
    ep_destroy(&e);
}


/* ---- pcie-model's Gen3 x8 figures (Neugebauer et al., SIGCOMM 2018, the
 * pcie-model link model published with pcie-bench): raw 63.0 Gb/s, TLP layer
 * 57.9, and for MPS 256 with 64-bit addresses 64 B reads 44.1, 64 B writes
 * 42.1, 256 B reads 53.7, 256 B writes 52.9 Gb/s effective. ---- */

static double stream_gbps(bool is_write, uint32_t size)
{
    ep_params p = {.link = {3, 8}, .mps = 256, .mrrs = 512, .tags = 1024, .dllp_overhead = true};
    endpoint e;
    assert_int_equal(ep_init(&e, &p), 0);
    const unsigned n = 20000;
    ps_t done = 0;
    uint64_t addr = 1ull << 40; /* 64-bit addresses: 4DW headers */
    for (unsigned i = 0; i < n; i++) {
        if (is_write) {
            done = ep_send_request(&e, addr, size, true, 0);
        } else {
            /* the data-carrying direction is the bottleneck: completions
             * become ready as fast as they can leave */
            ep_send_request(&e, addr, 0, false, 0);
            done = ep_send_completions_at(&e, addr, size, 0);
        }
        addr += size;
    }
    ep_destroy(&e);
    return (double)n * size * 8 * 1000.0 / (double)done;
}

static void gen3x8_tlp_layer_rate_matches_pcie_model(void **state)
{
    (void)state;
    ep_link l = {3, 8};
    /* 8/203 + 8/203 + 4/1538 = 0.081419 */
    assert_int_equal(ep_link_overhead_ppm(&l, 256), 81419);
    double raw = 8.0 * 8 * 128.0 / 130.0;
    double tlp = raw * (1.0 - 81419e-6);
    assert_true(tlp > 57.85 && tlp < 57.90);
}

static void gen3x8_effective_rates_match_pcie_model(void **state)
{
    (void)state;
    double r64 = stream_gbps(false, 64), w64 = stream_gbps(true, 64);
    double r256 = stream_gbps(false, 256), w256 = stream_gbps(true, 256);
    assert_true(r64 > 44.0 && r64 < 44.2);
    assert_true(w64 > 42.0 && w64 < 42.2);
    assert_true(r256 > 53.6 && r256 < 53.8);
    assert_true(w256 > 52.8 && w256 < 53.0);
}

static void device_engine_costs_pace_requests(void **state)
{
    (void)state;
    ep_params p = {.link = {3, 8}, .mps = 256, .mrrs = 512, .tags = 32,
                   .read_req_ps = 8000, .read_byte_ps = 130, .write_req_ps = 14000, .write_byte_ps = 100};
    endpoint e;
    assert_int_equal(ep_init(&e, &p), TCESIM_OK);
    /* a 64 B read: 8 ns + 64 * 0.13 ns = 16.32 ns in the engine, then the
     * 20-byte MRd (2540 ps) on the wire */
    assert_int_equal(ep_send_request(&e, 0, 64, false, 0), 16320 + 2540);
    assert_int_equal(e.last_link_ps, 16320);
    /* the next request, issued at 0 too, waits for the engine */
    assert_int_equal(ep_send_request(&e, 64, 64, false, 0), 2 * 16320 + 2540);
    /* a 64 B write: 14 + 6.4 ns more in the engine, 84 B (3DW) on the wire */
    assert_int_equal(ep_send_request(&e, 128, 64, true, 0), 2 * 16320 + 20400 + ep_link_wire_ps(&p.link, 84));
    ep_destroy(&e);
}

static void completions_split_at_rcb_or_mps(void **state)
{
    (void)state;
    ep_params p = {.link = {3, 8}, .mps = 256, .mrrs = 512, .tags = 32, .rcb = 64};
    /* 512 B read at 0x20 (RCB 64): first completion up to MPS ending on an
     * RCB boundary: 256 - 32 = 224, then 256, then the last 32 */
    assert_int_equal(ep_cpl_len(&p, 0x20, 512), 224);
    assert_int_equal(ep_cpl_len(&p, 0x100, 288), 256);
    assert_int_equal(ep_cpl_len(&p, 0x200, 32), 32);
    ep_tlp_count c;
    ep_count(&p, 0x20, 512, false, &c);
    assert_int_equal(c.requests, 1);     /* 512 B within MRRS and one 4 KiB page */
    assert_int_equal(c.completions, 3);  /* 224 + 256 + 32 */
    p.cpl_rcb_chunks = true;
    /* RCB chunks: 32 to the first boundary, then 64-byte completions */
    assert_int_equal(ep_cpl_len(&p, 0x20, 512), 32);
    assert_int_equal(ep_cpl_len(&p, 0x40, 480), 64);
    ep_count(&p, 0, 512, false, &c);
    assert_int_equal(c.completions, 8);
    assert_int_equal(c.down_bytes, 8 * 20 + 512);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gen3x8_tlp_layer_rate_matches_pcie_model),
        cmocka_unit_test(gen3x8_effective_rates_match_pcie_model),
        cmocka_unit_test(completions_split_at_rcb_or_mps),
        cmocka_unit_test(device_engine_costs_pace_requests),
        cmocka_unit_test(read_of_64_bytes_is_one_request_one_completion),
        cmocka_unit_test(write_crossing_4k_boundary_splits_there),
        cmocka_unit_test(read_of_4k_splits_at_mrrs_and_completions_at_mps),
        cmocka_unit_test(access_of_1500_bytes_at_4000_splits_at_the_boundary_first),
        cmocka_unit_test(addresses_above_4g_use_24_byte_headers),
        cmocka_unit_test(empty_access_has_no_tlps),
        cmocka_unit_test(tlp_len_is_min_of_len_max_and_distance_to_4k),
        cmocka_unit_test(link_parse_accepts_any_case_and_spacing),
        cmocka_unit_test(link_parse_rejects_bad_links),
        cmocka_unit_test(wire_time_rounds_up_per_rate_and_encoding),
        cmocka_unit_test(init_rejects_out_of_range_parameters),
        cmocka_unit_test(requests_serialise_on_the_upstream_link),
        cmocka_unit_test(third_read_with_two_tags_waits_for_earliest_completion),
        cmocka_unit_test(posted_writes_never_wait_for_tags),
        cmocka_unit_test(released_tag_frees_the_next_read_at_release_time),
        cmocka_unit_test(completions_split_at_mps_back_to_back),
        cmocka_unit_test(completions_of_two_reads_do_not_overlap_on_the_wire),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
