/*
 * jsonl.c -- the C side of the cross-language test (tests/python/test_cross_language.py): streams an ES-003
 * through libcape's per-entry callback and prints each entry's record as one line of JSON
 * (cape_entry_json), then one line `totals <JSON>` (cape_assessment_totals_json). The Python test compares
 * these bytes with `cape assess --format jsonl` and with cape.iter_assess.
 *
 *   cape_jsonl ES003_FILE AS_OF_DATE
 *
 * As of AS_OF_DATE, assuming the last quarter's interest rates continue (the command line's
 * --assume-last-rate). Exit status 0 on success, 1 with a message on stderr otherwise, 2 on a usage error.
 */
#include <stdio.h>
#include <string.h>

#include "cape.h"

static int fail(const char *what, cape_error *err) {
    fprintf(stderr, "cape_jsonl: %s: %s\n", what, cape_error_message(err));
    cape_error_free(err);
    return 1;
}

static bool print_entry(const cape_entry *entry, void *user) {
    char *json = NULL;
    (void)user;
    if (cape_entry_json(entry, &json, NULL) != CAPE_STATUS_OK) return true; /* stop the run */
    fputs(json, stdout);
    fputc('\n', stdout);
    cape_string_free(json);
    return false;
}

int main(int argc, char **argv) {
    cape_tables *tables = NULL;
    cape_assess_options *options = NULL;
    cape_assessment *run = NULL;
    cape_error *err = NULL;
    char *totals = NULL;
    int status = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: cape_jsonl ES003_FILE AS_OF_DATE\n");
        return 2;
    }
    if (cape_tables_embedded(&tables, &err) != CAPE_STATUS_OK) return fail("tables", err);
    if (cape_assess_options_new(argv[2], &options, &err) != CAPE_STATUS_OK ||
        cape_assess_options_assume_last_rate(options, tables, &err) != CAPE_STATUS_OK) {
        cape_assess_options_free(options);
        cape_tables_free(tables);
        return fail(argv[2], err);
    }
    if (cape_run_path(argv[1], tables, options, NULL, print_entry, NULL, &run, &err) != CAPE_STATUS_OK) {
        status = fail(argv[1], err);
    } else if (cape_assessment_totals_json(run, &totals, &err) != CAPE_STATUS_OK) {
        status = fail("totals", err);
    } else {
        printf("totals %s\n", totals);
        cape_string_free(totals);
    }
    cape_assessment_free(run);
    cape_assess_options_free(options);
    cape_tables_free(tables);
    return status;
}
