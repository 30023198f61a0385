/* The built-in workload through tcesim's C API: the same report as
 *   tcesim run bench-window --set workload.count=100000 --json -
 * (apart from its wall-clock fields), on standard output. bench-window is
 * the preset of every key's default (the window workload: random 64 B
 * reads over 1 MiB); the default scenario (no config) has workloads[]
 * instead, which workload.count does not reach. Any arguments are more
 * key=value settings. Exit codes as the CLI's. */
#include <stdio.h>

#include <tcesim/tcesim.h>

int main(int argc, char **argv)
{
    tcesim_run *run = NULL;
    int rc = tcesim_run_create("bench-window", NULL, &run); /* a preset, found in the install; no trace */
    if (rc == TCESIM_SUCCESS)
        rc = tcesim_run_set(run, "workload.count=100000");
    for (int i = 1; rc == TCESIM_SUCCESS && i < argc; i++)
        rc = tcesim_run_set(run, argv[i]);
    if (rc == TCESIM_SUCCESS)
        rc = tcesim_run_simulate(run);
    if (rc != TCESIM_SUCCESS) {
        fprintf(stderr, "embed-c: %s (%s)\n", tcesim_run_errmsg(run), tcesim_status_str(rc));
        tcesim_run_destroy(run);
        return rc == TCESIM_BAD_INPUT ? 2 : 1;
    }
    fputs(tcesim_run_report_json(run), stdout);
    fputs(tcesim_run_warnings(run), stderr);
    fprintf(stderr, "embed-c: hit rate %.4f, translation p99 %.1f ns, DMA %.2f Gb/s\n", tcesim_run_hit_rate(run),
            tcesim_run_translation_p99_ns(run), tcesim_run_dma_throughput_gbps(run));
    tcesim_run_destroy(run);
    return fflush(stdout) == 0 ? 0 : 1;
}
