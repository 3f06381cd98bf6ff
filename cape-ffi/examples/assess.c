/*
 * assess.c -- assess every entry of an ES-003 report with libcape, streaming (memory bounded by one entry,
 * whatever the file's size).
 *
 *   assess ES003_FILE [AS_OF_DATE]
 *
 * Prints one line per entry, tab-separated: canonical entry number, status, IEEPA principal, interest (or -),
 * last filing day (or -). AS_OF_DATE is YYYY-MM-DD (default: today). Exit status 0 on success; 1 with a
 * message on stderr when the file cannot be read or assessed; 2 on a usage error.
 *
 * Build: cc assess.c $(pkg-config --cflags --libs cape) -o assess
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cape.h"

static int fail(const char *what, cape_error *err) {
    fprintf(stderr, "assess: %s: %s (%s)\n", what, cape_error_message(err),
            cape_status_name((uint32_t)cape_error_code(err)));
    cape_error_free(err);
    return 1;
}

/* Called by cape_run_path with each entry, in file order; the entry and its strings live until we return. */
static bool print_entry(const cape_entry *entry, void *user) {
    cape_entry_result r;
    (void)user;
    memset(&r, 0, sizeof r);
    r.struct_size = (uint32_t)sizeof r;
    if (cape_entry_get(entry, &r, NULL) != CAPE_STATUS_OK) return true; /* true stops the run */
    printf("%s\t%s\t%s\t%s\t%s\n", r.entry_number, r.status_name, r.ieepa_duty, r.interest ? r.interest : "-",
           r.last_filing_day ? r.last_filing_day : "-");
    return false;
}

int main(int argc, char **argv) {
    char today[11];
    const char *as_of;
    cape_tables *tables = NULL;
    cape_assess_options *options = NULL;
    cape_error *err = NULL;
    int status = 0;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: assess ES003_FILE [AS_OF_DATE]\n");
        return 2;
    }
    if (argc == 3) {
        as_of = argv[2];
    } else {
        time_t now = time(NULL);
        strftime(today, sizeof today, "%Y-%m-%d", localtime(&now));
        as_of = today;
    }

    if (cape_tables_embedded(&tables, &err) != CAPE_STATUS_OK) return fail("tables", err);
    if (cape_assess_options_new(as_of, &options, &err) != CAPE_STATUS_OK) {
        cape_tables_free(tables);
        return fail(as_of, err);
    }
    if (cape_run_path(argv[1], tables, options, NULL, print_entry, NULL, NULL, &err) != CAPE_STATUS_OK) {
        status = fail(argv[1], err);
    }
    cape_assess_options_free(options);
    cape_tables_free(tables);
    return status;
}
