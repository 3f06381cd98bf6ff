/*
 * stream_rss.c -- peak memory of libcape's streaming API on one ES-003 file.
 *
 *   stream_rss ES003_FILE MODE [MAX_MB]
 *
 * MODE is `keep-nothing` (cape_run_path with no per-entry callback: the run's summary only) or `callback`
 * (cape_run_path with a per-entry callback that reads each entry with cape_entry_get and keeps nothing).
 * Prints one line: mode, rows read, entries, seconds, peak resident memory in MB (getrusage ru_maxrss, the
 * whole process: libcape, the C runtime and this program). With MAX_MB, exits 1 when the peak is MAX_MB or
 * more (the C test run checks a ~200k-row file against 64 MB this way); 2 on a usage or run error.
 *
 * The run is the throughput harness's `pipeline` mode (benches/src/bin/throughput.rs): as of 2026-11-26, the
 * last rate assumed, on one thread (CAPE_BENCH_THREADS to change: 0 for libcape's default), so that the two
 * times compare: what the C surface adds is the difference.
 *
 * Built by `make c-test` (debug libcape) and `make bench` / `make c-bench` (release libcape).
 */
#define _XOPEN_SOURCE 700
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cape.h"

struct tally {
    unsigned long long entries;
    unsigned long long eligible;
};

/* A no-op per-entry consumer: reads the entry's fields, as a caller would, and keeps nothing. */
static bool on_entry(const cape_entry *entry, void *user) {
    struct tally *t = (struct tally *)user;
    cape_entry_result r;
    memset(&r, 0, sizeof r);
    r.struct_size = (uint32_t)sizeof r;
    if (cape_entry_get(entry, &r, NULL) != CAPE_STATUS_OK) return true; /* stop */
    t->entries++;
    t->eligible += r.status == CAPE_CLAIM_STATUS_ELIGIBLE;
    return false;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    cape_tables *tables = NULL;
    cape_assess_options *options = NULL;
    cape_assessment *result = NULL;
    cape_error *err = NULL;
    cape_run_options run;
    cape_ingest_summary summary;
    cape_assess_totals totals;
    struct tally tally = {0, 0};
    struct rusage usage;
    int callback;
    double t0, secs, peak_mb, max_mb = 0;

    if (argc < 3 || argc > 4 || (strcmp(argv[2], "keep-nothing") != 0 && strcmp(argv[2], "callback") != 0)) {
        fprintf(stderr, "usage: stream_rss ES003_FILE keep-nothing|callback [MAX_MB]\n");
        return 2;
    }
    callback = strcmp(argv[2], "callback") == 0;
    if (argc == 4) max_mb = atof(argv[3]);
    memset(&run, 0, sizeof run);
    run.struct_size = (uint32_t)sizeof run;
    run.threads = getenv("CAPE_BENCH_THREADS") ? (uint32_t)atoi(getenv("CAPE_BENCH_THREADS")) : 1;
    memset(&summary, 0, sizeof summary);
    summary.struct_size = (uint32_t)sizeof summary;
    memset(&totals, 0, sizeof totals);
    totals.struct_size = (uint32_t)sizeof totals;

    if (cape_tables_embedded(&tables, &err) != CAPE_STATUS_OK ||
        cape_assess_options_new("2026-11-26", &options, &err) != CAPE_STATUS_OK ||
        cape_assess_options_assume_last_rate(options, tables, &err) != CAPE_STATUS_OK) {
        fprintf(stderr, "stream_rss: %s\n", cape_error_message(err));
        return 2;
    }
    t0 = now();
    if (cape_run_path(argv[1], tables, options, &run, callback ? on_entry : NULL, &tally, &result, &err) !=
        CAPE_STATUS_OK) {
        fprintf(stderr, "stream_rss: %s: %s\n", argv[1], cape_error_message(err));
        cape_error_free(err);
        return 2;
    }
    secs = now() - t0;
    cape_assessment_summary(result, &summary, NULL);
    cape_assessment_totals(result, &totals, NULL);
    getrusage(RUSAGE_SELF, &usage);
    peak_mb = (double)usage.ru_maxrss / 1024.0; /* kilobytes on Linux */
    printf("c %-12s %9llu rows %8llu entries %8.2f s %7.1f MB peak\n", argv[2],
           (unsigned long long)summary.rows_read, (unsigned long long)totals.entries, secs, peak_mb);
    if (callback && tally.entries != totals.entries) {
        fprintf(stderr, "stream_rss: the callback saw %llu entries, the totals say %llu\n", tally.entries,
                (unsigned long long)totals.entries);
        return 2;
    }
    cape_assessment_free(result);
    cape_assess_options_free(options);
    cape_tables_free(tables);
    if (max_mb > 0 && peak_mb >= max_mb) {
        fprintf(stderr, "stream_rss: peak %.1f MB, the bound is %.0f MB\n", peak_mb, max_mb);
        return 1;
    }
    return 0;
}
