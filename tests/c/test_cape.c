/*
 * test_cape.c -- the C test of libcape. Exercises every function of include/cape.h.
 *
 * Built by `make c-test` as C99 (-Wall -Wextra -Werror -pedantic) against libcape.a, as C++ (g++ -x c++),
 * against the shared library, under ASan+UBSan and under valgrind. Usage: test_cape [path/to/sample_es003.csv]
 * (the other reference files are found next to the sample, in cape-core/data/).
 * The last line printed is "N passed, M failed"; the exit status is non-zero when M > 0.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cape.h"

static int passed = 0;
static int failed = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (cond) {                                                                  \
            passed++;                                                                \
        } else {                                                                     \
            failed++;                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_STATUS(call, want)                                                                  \
    do {                                                                                          \
        cape_status got_ = (call);                                                                \
        if (got_ == (cape_status)(want)) {                                                        \
            passed++;                                                                             \
        } else {                                                                                  \
            failed++;                                                                             \
            fprintf(stderr, "%s:%d: %s returned %u (%s), expected %s\n", __FILE__, __LINE__, #call, \
                    (unsigned)got_, name_of(got_), #want);                                        \
        }                                                                                         \
    } while (0)

/* The growth policy: a struct libcape fills carries its size, set before the call. */
#define SIZED(x) (memset(&(x), 0, sizeof(x)), (x).struct_size = (uint32_t)sizeof(x))

#define CHECK_STR(got, want) CHECK((got) != NULL && strcmp((got), (want)) == 0)

static void test_reconciliation(uint64_t declared);

/* The cents of an amount libcape returned ("-1234.50": exactly two decimals); INT64_MIN when it is not one. */
static int64_t cents_of(const char *amount) {
    int64_t cents = 0;
    int negative = 0, decimals = -1;
    if (amount == NULL || *amount == '\0') return INT64_MIN;
    if (*amount == '-') {
        negative = 1;
        amount++;
    }
    for (; *amount != '\0'; amount++) {
        if (*amount == '.' && decimals < 0) {
            decimals = 0;
        } else if (*amount >= '0' && *amount <= '9' && decimals < 2 && cents < INT64_MAX / 10 - 9) {
            cents = cents * 10 + (*amount - '0');
            if (decimals >= 0) decimals++;
        } else {
            return INT64_MIN;
        }
    }
    if (decimals != 2) return INT64_MIN;
    return negative ? -cents : cents;
}

static const char *name_of(cape_status s) {
    const char *name = cape_status_name((uint32_t)s);
    return name ? name : "?";
}

static void test_version(void) {
    char buf[32];
    CHECK_STR(cape_version(), CAPE_VERSION_STRING);
    sprintf(buf, "%d.%d.%d", CAPE_VERSION_MAJOR, CAPE_VERSION_MINOR, CAPE_VERSION_PATCH);
    CHECK_STR(cape_version(), buf);
    CHECK(CAPE_VERSION_NUMBER == CAPE_VERSION_MAJOR * 10000 + CAPE_VERSION_MINOR * 100 + CAPE_VERSION_PATCH);
}

static void test_status_names(void) {
    CHECK_STR(cape_status_name(CAPE_STATUS_OK), "CAPE_STATUS_OK");
    CHECK_STR(cape_status_name(CAPE_STATUS_NULL_ARGUMENT), "CAPE_STATUS_NULL_ARGUMENT");
    CHECK_STR(cape_status_name(CAPE_STATUS_INVALID_ENTRY_NUMBER), "CAPE_STATUS_INVALID_ENTRY_NUMBER");
    CHECK_STR(cape_status_name(CAPE_STATUS_IO), "CAPE_STATUS_IO");
    CHECK_STR(cape_status_name(CAPE_STATUS_OUTPUT_NOT_EMPTY), "CAPE_STATUS_OUTPUT_NOT_EMPTY");
    CHECK_STR(cape_status_name(CAPE_STATUS_OUTPUT_LOCKED), "CAPE_STATUS_OUTPUT_LOCKED");
    CHECK_STR(cape_status_name(CAPE_STATUS_UNSAFE_OUTPUT), "CAPE_STATUS_UNSAFE_OUTPUT");
    CHECK_STR(cape_status_name(CAPE_STATUS_PANIC), "CAPE_STATUS_PANIC");
    /* any number gives a printable text, never NULL; only defined statuses are named CAPE_STATUS_* */
    CHECK_STR(cape_status_name(209), "unknown cape_status");
    CHECK_STR(cape_status_name(12345), "unknown cape_status");
    CHECK_STR(cape_status_name(UINT32_MAX), "unknown cape_status");
    CHECK_STR(cape_status_name(CAPE_STATUS_ERR_SLOT_NOT_EMPTY), "CAPE_STATUS_ERR_SLOT_NOT_EMPTY");
    CHECK(CAPE_STATUS_ERR_SLOT_NOT_EMPTY == 104);
    CHECK(CAPE_STATUS_OK == 0);
    CHECK(CAPE_STATUS_NULL_ARGUMENT == 100);
    CHECK(CAPE_STATUS_INVALID_ENTRY_NUMBER == 201);
    CHECK(CAPE_STATUS_IO == 300);
    CHECK(CAPE_STATUS_OUTPUT_NOT_EMPTY == 301 && CAPE_STATUS_OUTPUT_LOCKED == 302 && CAPE_STATUS_UNSAFE_OUTPUT == 303);
    CHECK(CAPE_STATUS_PANIC == 900);
}

/* The error-slot rule: *err must be NULL on entry; a full slot is refused, untouched, and nothing is done. Under
 * valgrind (make c-test) a libcape that replaced or dropped the held error would show a leak or a double free. */
static void test_error_slot(void) {
    cape_error *err = NULL, *held = NULL;
    cape_tables *t = NULL;
    char *interest = NULL;
    uint8_t digit = 255;

    CHECK_STATUS(cape_entry_number_check_digit("AB", &digit, &err), CAPE_STATUS_INVALID_ENTRY_NUMBER);
    held = err;
    CHECK(held != NULL);
    /* a call that would fail, and calls that would succeed: refused before any work */
    CHECK_STATUS(cape_entry_number_check_digit("XY", &digit, &err), CAPE_STATUS_ERR_SLOT_NOT_EMPTY);
    CHECK_STATUS(cape_entry_number_check_digit("ABC1234567", &digit, &err), CAPE_STATUS_ERR_SLOT_NOT_EMPTY);
    CHECK_STATUS(cape_tables_embedded(&t, &err), CAPE_STATUS_ERR_SLOT_NOT_EMPTY);
    CHECK_STATUS(cape_interest("10.00", "2025-06-02", "2026-03-16", CAPE_IMPORTER_CLASS_CORPORATE, NULL, &interest,
                               NULL, &err),
                 CAPE_STATUS_ERR_SLOT_NOT_EMPTY);
    CHECK(err == held && digit == 255 && t == NULL && interest == NULL);
    /* the held error is intact */
    CHECK(cape_error_code(err) == CAPE_STATUS_INVALID_ENTRY_NUMBER);
    CHECK(strstr(cape_error_message(err), "\"AB\"") != NULL);
    cape_error_free(err);
    err = NULL;
    /* a NULL slot, and no slot, work as before */
    CHECK_STATUS(cape_entry_number_check_digit("ABC1234567", &digit, &err), CAPE_STATUS_OK);
    CHECK(err == NULL && digit == 6);
    CHECK_STATUS(cape_entry_number_check_digit("XY", &digit, NULL), CAPE_STATUS_INVALID_ENTRY_NUMBER);
}

/* Booleans are C bool and tri-states are enums: these assignments do not compile (-Werror) with any other
 * field, result or parameter type. */
static bool stop_at_once(const cape_entry *entry, void *user) {
    (void)entry;
    (void)user;
    return true;
}

static bool stop_progress(const cape_progress *progress, void *user) {
    (void)progress;
    (void)user;
    return true;
}

static void test_bool_types(void) {
    cape_entry_result r;
    cape_refund refund;
    cape_period period;
    cape_progress progress;
    bool *flags[6];
    cape_refund_held *held = &r.refund_held;
    bool (*is_set)(const cape_cancel *) = cape_cancel_is_set;
    cape_status (*build)(const cape_assessment *, size_t, bool, const char *, cape_declarations **,
                         cape_error **) = cape_declarations_build;
    cape_entry_cb on_entry = stop_at_once;
    cape_progress_cb on_progress = stop_progress;
    flags[0] = &r.principal_is_upper_bound;
    flags[1] = &r.has_days_left;
    flags[2] = &r.urgent;
    flags[3] = &refund.held;
    flags[4] = &period.assumed;
    flags[5] = &progress.done;
    CHECK(flags[5] != NULL && held != NULL && is_set != NULL && build != NULL && on_entry != NULL &&
          on_progress != NULL);
    CHECK(sizeof(bool) == sizeof r.urgent);
    CHECK(CAPE_REFUND_HELD_UNKNOWN == 0 && CAPE_REFUND_HELD_NO == 1 && CAPE_REFUND_HELD_YES == 2);
    CHECK(!is_set(NULL));
}

static void test_check_digits(void) {
    static const struct {
        const char *base;
        int digit;
    } vectors[] = {
        {"ABC1234567", 6}, {"9999999999", 0}, {"3160123456", 5},
        {"1234567890", 3}, {"ZZZ0000000", 3}, {"B760158522", 0},
    };
    size_t i;
    uint8_t digit;
    cape_error *err = NULL;
    for (i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        digit = 255;
        CHECK_STATUS(cape_entry_number_check_digit(vectors[i].base, &digit, NULL), CAPE_STATUS_OK);
        CHECK(digit == vectors[i].digit);
    }
    digit = 255;
    CHECK_STATUS(cape_entry_number_check_digit("AB", &digit, &err), CAPE_STATUS_INVALID_ENTRY_NUMBER);
    CHECK(digit == 255); /* out-params are written only on success */
    CHECK(err != NULL);
    CHECK(cape_error_code(err) == CAPE_STATUS_INVALID_ENTRY_NUMBER);
    CHECK(strlen(cape_error_message(err)) > 0);
    cape_error_free(err);
    err = NULL;
    CHECK_STATUS(cape_entry_number_check_digit(NULL, &digit, &err), CAPE_STATUS_NULL_ARGUMENT);
    CHECK(cape_error_code(err) == CAPE_STATUS_NULL_ARGUMENT);
    CHECK(strstr(cape_error_message(err), "base10") != NULL);
    cape_error_free(err);
    err = NULL;
    CHECK_STATUS(cape_entry_number_check_digit("ABC1234567", NULL, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_entry_number_check_digit("\xff\xfe", &digit, NULL), CAPE_STATUS_INVALID_UTF8);
}

static void test_entry_numbers(void) {
    char *canonical = NULL;
    char *compact = NULL;
    cape_error *err = NULL;

    CHECK_STATUS(cape_entry_number_parse("abc 1234567 6", &canonical, &compact, &err), CAPE_STATUS_OK);
    CHECK(err == NULL); /* untouched on success */
    CHECK_STR(canonical, "ABC-1234567-6");
    CHECK_STR(compact, "ABC12345676");
    cape_string_free(canonical);
    cape_string_free(compact);

    canonical = NULL;
    CHECK_STATUS(cape_entry_number_parse("B7601585220", &canonical, NULL, NULL), CAPE_STATUS_OK);
    CHECK_STR(canonical, "B76-0158522-0");
    cape_string_free(canonical);
    CHECK_STATUS(cape_entry_number_parse("316-0123456-5", NULL, NULL, NULL), CAPE_STATUS_OK);

    /* a wrong check digit: status, code and message */
    canonical = NULL;
    CHECK_STATUS(cape_entry_number_parse("ABC-1234567-5", &canonical, NULL, &err), CAPE_STATUS_INVALID_ENTRY_NUMBER);
    CHECK(canonical == NULL);
    CHECK(err != NULL);
    CHECK(cape_error_code(err) == CAPE_STATUS_INVALID_ENTRY_NUMBER);
    CHECK(strstr(cape_error_message(err), "expected 6") != NULL);
    cape_error_free(err);
    err = NULL;

    CHECK_STATUS(cape_entry_number_parse("ABC-123", NULL, NULL, NULL), CAPE_STATUS_INVALID_ENTRY_NUMBER);
    CHECK_STATUS(cape_entry_number_parse(NULL, &canonical, NULL, &err), CAPE_STATUS_NULL_ARGUMENT);
    CHECK(cape_error_code(err) == CAPE_STATUS_NULL_ARGUMENT);
    cape_error_free(err);
    err = NULL;

    /* NULL handles and strings are no-ops / neutral */
    cape_string_free(NULL);
    cape_error_free(NULL);
    CHECK(cape_error_code(NULL) == CAPE_STATUS_OK);
    CHECK_STR(cape_error_message(NULL), "");
}

static const char CSV[] =
    "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,"
    "Line Tariff Goods Value Amount,Line Tariff Duty Amount,Entry Date\n"
    "ABC-1234567-6,1,1,8471300100,\"$10,000.00\",$0.00,03/15/2025\n"
    "ABC-1234567-6,1,2,99030125,0.00,1000.00,03/15/2025\n"
    "ABC-1234567-6,2,1,8517620090,5000.00,250.00,03/15/2025\n"
    "B76-0158522-0,1,1,9403200080,2500.00,125.00,2025-04-20\n"
    "ABC-1234567-5,1,1,8471300100,100.00,1.00,03/15/2025\n";

static void test_es003_buffer(void) {
    cape_es003 *report = NULL;
    cape_error *err = NULL;
    cape_ingest_summary summary;
    SIZED(summary);
    cape_diagnostic d;
    SIZED(d);
    char *number = NULL;
    size_t i;
    int found_bad_entry = 0;

    CHECK_STATUS(cape_es003_open_buffer((const uint8_t *)CSV, strlen(CSV), "inline.csv", &report, &err),
                 CAPE_STATUS_OK);
    if (report == NULL) {
        fprintf(stderr, "open_buffer: %s\n", cape_error_message(err));
        cape_error_free(err);
        return;
    }

    memset(&summary, 0xff, sizeof summary);
    CHECK_STATUS(cape_es003_summary(report, &summary, NULL), CAPE_STATUS_OK);
    CHECK(summary.rows_read == 5);
    CHECK(summary.rows_used == 4);
    CHECK(summary.rows_rejected == 1);
    CHECK(summary.rows_read == summary.rows_used + summary.rows_rejected);
    CHECK(summary.entries == 2);
    CHECK(summary.lines == 3);
    CHECK(summary.tariff_rows == 4);
    CHECK(summary.split_entries == 0);
    CHECK(summary.conflicting_entries == 0);
    CHECK(summary.diagnostics == (uint64_t)cape_es003_diagnostic_count(report));
    CHECK(summary.diagnostics == summary.errors + summary.warnings + summary.infos);
    CHECK(summary.errors >= 1);

    CHECK(cape_es003_entry_count(report) == 2);
    CHECK_STATUS(cape_es003_entry_number(report, 0, &number, NULL), CAPE_STATUS_OK);
    CHECK_STR(number, "ABC-1234567-6");
    cape_string_free(number);
    number = NULL;
    CHECK_STATUS(cape_es003_entry_number(report, 1, &number, NULL), CAPE_STATUS_OK);
    CHECK_STR(number, "B76-0158522-0");
    cape_string_free(number);
    number = NULL;
    CHECK_STATUS(cape_es003_entry_number(report, 2, &number, &err), CAPE_STATUS_OUT_OF_RANGE);
    CHECK(number == NULL);
    CHECK(cape_error_code(err) == CAPE_STATUS_OUT_OF_RANGE);
    cape_error_free(err);
    err = NULL;
    CHECK_STATUS(cape_es003_entry_number(report, 0, NULL, NULL), CAPE_STATUS_NULL_ARGUMENT);

    for (i = 0; i < cape_es003_diagnostic_count(report); i++) {
        CHECK_STATUS(cape_es003_diagnostic(report, i, &d, NULL), CAPE_STATUS_OK);
        CHECK(d.code != NULL && d.message != NULL);
        CHECK(d.severity == CAPE_SEVERITY_INFO || d.severity == CAPE_SEVERITY_WARNING ||
              d.severity == CAPE_SEVERITY_ERROR);
        if (strcmp(d.code, "ES003_INVALID_ENTRY_NUMBER") == 0) {
            found_bad_entry = 1;
            CHECK(d.severity == CAPE_SEVERITY_ERROR);
            CHECK(d.row == 6); /* header is row 1 */
            CHECK_STR(d.column, "Entry Summary Number");
            CHECK_STR(d.value, "ABC-1234567-5");
            CHECK(strstr(d.message, "expected 6") != NULL);
        }
    }
    CHECK(found_bad_entry);
    /* exact counts per code (details are capped per code; counts never are) */
    CHECK(cape_es003_code_count(report, "ES003_INVALID_ENTRY_NUMBER") == 1);
    CHECK(cape_es003_code_count(report, "ES003_SUB_CENT_AMOUNT") == 0);
    CHECK(cape_es003_code_count(report, NULL) == 0);
    CHECK(cape_es003_code_count(NULL, "ES003_INVALID_ENTRY_NUMBER") == 0);
    CHECK_STATUS(cape_es003_diagnostic(report, cape_es003_diagnostic_count(report), &d, NULL),
                 CAPE_STATUS_OUT_OF_RANGE);
    CHECK_STATUS(cape_es003_diagnostic(report, 0, NULL, NULL), CAPE_STATUS_NULL_ARGUMENT);

    cape_es003_free(report);

    /* argument errors and NULL handles */
    report = NULL;
    CHECK_STATUS(cape_es003_open_buffer(NULL, 10, NULL, &report, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_es003_open_buffer((const uint8_t *)CSV, strlen(CSV), NULL, NULL, NULL),
                 CAPE_STATUS_NULL_ARGUMENT);
    CHECK(report == NULL);
    CHECK_STATUS(cape_es003_summary(NULL, &summary, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_es003_entry_number(NULL, 0, &number, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_es003_diagnostic(NULL, 0, &d, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK(cape_es003_entry_count(NULL) == 0);
    CHECK(cape_es003_diagnostic_count(NULL) == 0);
    cape_es003_free(NULL);
}

static void test_es003_bad_inputs(void) {
    static const char no_entry_column[] = "Foo,Bar\n1,2\n";
    cape_es003 *report = NULL;
    cape_error *err = NULL;

    CHECK_STATUS(cape_es003_open_buffer((const uint8_t *)no_entry_column, strlen(no_entry_column), NULL, &report,
                                        &err),
                 CAPE_STATUS_MISSING_COLUMN);
    CHECK(report == NULL);
    CHECK(cape_error_code(err) == CAPE_STATUS_MISSING_COLUMN);
    CHECK(strstr(cape_error_message(err), "Entry Summary Number") != NULL);
    cape_error_free(err);
    err = NULL;

    CHECK_STATUS(cape_es003_open_path("/nonexistent/cape/es003.csv", &report, &err), CAPE_STATUS_IO);
    CHECK(report == NULL);
    CHECK(cape_error_code(err) == CAPE_STATUS_IO);
    CHECK(strstr(cape_error_message(err), "/nonexistent/cape/es003.csv") != NULL);
    cape_error_free(err);
    err = NULL;

    CHECK_STATUS(cape_es003_open_path(NULL, &report, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_es003_open_path("/nonexistent", NULL, NULL), CAPE_STATUS_NULL_ARGUMENT);
}

static void test_es003_sample(const char *path) {
    cape_es003 *report = NULL;
    cape_error *err = NULL;
    cape_ingest_summary summary;
    SIZED(summary);
    char *number = NULL;

    CHECK_STATUS(cape_es003_open_path(path, &report, &err), CAPE_STATUS_OK);
    if (report == NULL) {
        fprintf(stderr, "%s: %s\n", path, cape_error_message(err));
        cape_error_free(err);
        return;
    }
    CHECK_STATUS(cape_es003_summary(report, &summary, NULL), CAPE_STATUS_OK);
    CHECK(summary.rows_read > 0);
    CHECK(summary.rows_read == summary.rows_used + summary.rows_rejected);
    CHECK(summary.entries > 0);
    CHECK(summary.entries == (uint64_t)cape_es003_entry_count(report));
    CHECK(summary.diagnostics == (uint64_t)cape_es003_diagnostic_count(report));
    CHECK_STATUS(cape_es003_entry_number(report, 0, &number, NULL), CAPE_STATUS_OK);
    CHECK(number != NULL && strlen(number) == 13 && number[3] == '-' && number[11] == '-');
    cape_string_free(number);
    printf("sample %s: %lu rows, %lu entries, %lu diagnostics\n", path, (unsigned long)summary.rows_read,
           (unsigned long)summary.entries, (unsigned long)summary.diagnostics);
    cape_es003_free(report);
}

/* ---------------------------------------------------------------------------------------------------------------
 * Tables, options, assessment, declarations, pre-flight, results, interest, consolidation
 */

static char data_dir[1024] = "cape-core/data";

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (f == NULL) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (char *)malloc((size_t)n + 1);
    if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf != NULL) {
        buf[n] = '\0';
        *len = (size_t)n;
    }
    return buf;
}

static void data_path(char *out, size_t size, const char *file) {
    snprintf(out, size, "%s/%s", data_dir, file);
}

/* Money arguments are canonical: digits, optionally '.' and one or two digits; nothing else. */
static void test_strict_money(void) {
    static const char *const good[] = {"10000", "10000.0", "10000.00", "010000.00"};
    static const char *const bad[] = {
        "$10000.00", "10,000.00", "10000.005", "10000.000", "10000.", ".5",    " 10000", "10000 ", "+10000",
        "1e4",       "(10000)",   "10000.0.0", "",          "-",      "--1", "10000\t", "\xef\xbc\x91", "-5",
    };
    char *interest = NULL;
    cape_error *err = NULL;
    size_t i;
    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        CHECK_STATUS(cape_interest(good[i], "2025-06-02", "2026-03-16", CAPE_IMPORTER_CLASS_CORPORATE, NULL, &interest,
                                   NULL, NULL),
                     CAPE_STATUS_OK);
        CHECK_STR(interest, "483.05");
        cape_string_free(interest);
        interest = NULL;
    }
    CHECK_STATUS(cape_interest("0", "2025-06-02", "2026-03-16", 0, NULL, &interest, NULL, NULL), CAPE_STATUS_OK);
    CHECK_STR(interest, "0.00");
    cape_string_free(interest);
    interest = NULL;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_STATUS(cape_interest(bad[i], "2025-06-02", "2026-03-16", 0, NULL, &interest, NULL, &err),
                     CAPE_STATUS_INVALID_MONEY);
        CHECK(interest == NULL && err != NULL);
        /* the message names the argument and quotes the text */
        if (err != NULL) {
            const char *msg = cape_error_message(err);
            CHECK(cape_error_code(err) == CAPE_STATUS_INVALID_MONEY);
            CHECK(strncmp(msg, "invalid principal \"", 19) == 0);
            if (strcmp(bad[i], "10000.005") == 0)
                CHECK_STR(msg, "invalid principal \"10000.005\": more than two decimals; amounts are whole cents");
            if (strcmp(bad[i], "-5") == 0) CHECK_STR(msg, "invalid principal \"-5\": negative; must be 0 or more");
            if (strcmp(bad[i], "$10000.00") == 0)
                CHECK(strstr(msg, "\"$10000.00\": not a plain decimal amount such as 1234.50") != NULL);
        }
        cape_error_free(err);
        err = NULL;
    }
}

static void test_interest(void) {
    char *interest = NULL;
    cape_interest_explanation *ex = NULL;
    cape_period p;
    SIZED(p);
    cape_error *err = NULL;

    /* CAPE.md section 8 worked example */
    CHECK_STATUS(cape_interest("10000.00", "2025-06-02", "2026-03-16", CAPE_IMPORTER_CLASS_CORPORATE, NULL, &interest,
                               &ex, NULL),
                 CAPE_STATUS_OK);
    CHECK_STR(interest, "483.05");
    CHECK(cape_interest_days(ex) == 287);
    CHECK(cape_interest_period_count(ex) >= 1);
    CHECK_STATUS(cape_interest_period(ex, 0, &p, NULL), CAPE_STATUS_OK);
    CHECK(strlen(p.from) == 10 && strlen(p.to) == 10);
    CHECK(p.days > 0 && p.days_in_year == 365);
    CHECK(p.annual_rate_percent != NULL && p.interest != NULL && !p.assumed);
    CHECK_STATUS(cape_interest_period(ex, cape_interest_period_count(ex), &p, NULL), CAPE_STATUS_OUT_OF_RANGE);
    cape_string_free(interest);
    cape_interest_explanation_free(ex);

    /* across the 2026-04-01 rate change: two periods, 41 + 45 days */
    interest = NULL;
    ex = NULL;
    CHECK_STATUS(cape_interest("8838.00", "2026-02-18", "2026-05-15", CAPE_IMPORTER_CLASS_CORPORATE, NULL, &interest,
                               &ex, NULL),
                 CAPE_STATUS_OK);
    CHECK_STR(interest, "114.78");
    CHECK(cape_interest_period_count(ex) == 2);
    CHECK_STATUS(cape_interest_period(ex, 0, &p, NULL), CAPE_STATUS_OK);
    CHECK(p.days == 41);
    CHECK_STR(p.interest, "59.76");
    CHECK_STATUS(cape_interest_period(ex, 1, &p, NULL), CAPE_STATUS_OK);
    CHECK(p.days == 45);
    CHECK_STR(p.interest, "55.02");
    cape_string_free(interest);
    cape_interest_explanation_free(ex);

    /* non-corporate pays more; end before start is zero */
    interest = NULL;
    CHECK_STATUS(cape_interest("10000.00", "2025-06-02", "2026-03-16", CAPE_IMPORTER_CLASS_NONCORPORATE, NULL,
                               &interest, NULL, NULL),
                 CAPE_STATUS_OK);
    CHECK(interest != NULL && strcmp(interest, "483.05") != 0);
    cape_string_free(interest);
    interest = NULL;
    CHECK_STATUS(cape_interest("10.00", "2026-03-16", "2026-03-16", 0, NULL, &interest, NULL, NULL), CAPE_STATUS_OK);
    CHECK_STR(interest, "0.00");
    cape_string_free(interest);

    /* errors: out-params untouched */
    interest = NULL;
    CHECK_STATUS(cape_interest("10000.00", "2025-06-02", "2026-03-16", 2, NULL, &interest, NULL, &err),
                 CAPE_STATUS_OUT_OF_RANGE);
    CHECK(interest == NULL);
    CHECK(strstr(cape_error_message(err), "class") != NULL);
    cape_error_free(err);
    err = NULL;
    CHECK_STATUS(cape_interest("-1.00", "2025-06-02", "2026-03-16", 0, NULL, &interest, NULL, NULL),
                 CAPE_STATUS_INVALID_MONEY);
    CHECK_STATUS(cape_interest("ten", "2025-06-02", "2026-03-16", 0, NULL, &interest, NULL, NULL),
                 CAPE_STATUS_INVALID_MONEY);
    /* sub-cent money is refused, not rounded */
    CHECK_STATUS(cape_interest("100.005", "2025-06-02", "2026-03-16", 0, NULL, &interest, NULL, NULL),
                 CAPE_STATUS_INVALID_MONEY);
    /* an end before the start */
    CHECK_STATUS(cape_interest("10.00", "2026-03-16", "2025-06-02", 0, NULL, &interest, NULL, &err),
                 CAPE_STATUS_INVALID_VALUE);
    CHECK(strstr(cape_error_message(err), "2025-06-02") != NULL);
    cape_error_free(err);
    err = NULL;
    CHECK_STATUS(cape_interest("1.00", "2025-13-02", "2026-03-16", 0, NULL, &interest, NULL, NULL),
                 CAPE_STATUS_INVALID_DATE);
    CHECK_STATUS(cape_interest("1.00", "2025-06-02", "2040-03-16", 0, NULL, &interest, NULL, NULL),
                 CAPE_STATUS_INVALID_REFERENCE_DATA); /* past the rate table, no assumed rate */
    CHECK_STATUS(cape_interest("1.00", "\xff", "2026-03-16", 0, NULL, &interest, NULL, NULL), CAPE_STATUS_INVALID_UTF8);
    CHECK(interest == NULL);
}

static void test_tables(void) {
    cape_tables *t = NULL, *t2 = NULL;
    cape_error *err = NULL;
    char path[1200];
    char *buf;
    size_t len = 0;
    char *interest = NULL;
    static const char bad_rates[] = "start,end\n2025-01-01,2025-03-31\n";

    CHECK_STATUS(cape_tables_embedded(&t, NULL), CAPE_STATUS_OK);
    CHECK(t != NULL);

    /* a rate table from a buffer (the embedded file itself) gives the same interest */
    data_path(path, sizeof path, "interest_rates.csv");
    buf = read_file(path, &len);
    CHECK(buf != NULL);
    if (buf != NULL) {
        CHECK_STATUS(cape_tables_replace_buffer(t, CAPE_TABLE_KIND_RATES, (const uint8_t *)buf, len, "rates.csv", &t2,
                                                NULL),
                     CAPE_STATUS_OK);
        CHECK_STATUS(cape_interest("10000.00", "2025-06-02", "2026-03-16", 0, t2, &interest, NULL, NULL),
                     CAPE_STATUS_OK);
        CHECK_STR(interest, "483.05");
        cape_string_free(interest);
        cape_tables_free(t2);
        t2 = NULL;
        free(buf);
    }
    CHECK_STATUS(cape_tables_replace_path(t, CAPE_TABLE_KIND_RATES, path, &t2, NULL), CAPE_STATUS_OK);
    cape_tables_free(t2);
    t2 = NULL;

    /* a rule set from a file; the catalogue from a file */
    data_path(path, sizeof path, "rules_phase2.json");
    CHECK_STATUS(cape_tables_replace_path(t, CAPE_TABLE_KIND_RULE_SET, path, &t2, NULL), CAPE_STATUS_OK);
    cape_tables_free(t2);
    t2 = NULL;
    data_path(path, sizeof path, "chapter99_ieepa.csv");
    CHECK_STATUS(cape_tables_replace_path(t, CAPE_TABLE_KIND_CATALOGUE, path, &t2, NULL), CAPE_STATUS_OK);
    cape_tables_free(t2);
    t2 = NULL;
    /* extending the catalogue with itself overlaps every period */
    CHECK_STATUS(cape_tables_replace_path(t, CAPE_TABLE_KIND_CATALOGUE_EXTENSION, path, &t2, &err),
                 CAPE_STATUS_INVALID_REFERENCE_DATA);
    CHECK(t2 == NULL);
    cape_error_free(err);
    err = NULL;

    /* bad inputs */
    CHECK_STATUS(cape_tables_replace_buffer(t, CAPE_TABLE_KIND_RATES, (const uint8_t *)bad_rates, strlen(bad_rates),
                                            NULL, &t2, &err),
                 CAPE_STATUS_INVALID_REFERENCE_DATA);
    CHECK(t2 == NULL);
    cape_error_free(err);
    err = NULL;
    CHECK_STATUS(cape_tables_replace_buffer(t, CAPE_TABLE_KIND_RATES, (const uint8_t *)"\xff\xfe", 2, NULL, &t2, NULL),
                 CAPE_STATUS_INVALID_UTF8);
    CHECK_STATUS(cape_tables_replace_buffer(t, CAPE_TABLE_KIND_RATES, NULL, 0, NULL, &t2, NULL),
                 CAPE_STATUS_INVALID_REFERENCE_DATA); /* zero-length buffer */
    CHECK_STATUS(cape_tables_replace_buffer(t, CAPE_TABLE_KIND_RULE_SET, (const uint8_t *)"{}", 2, NULL, &t2, NULL),
                 CAPE_STATUS_INVALID_REFERENCE_DATA);
    CHECK_STATUS(cape_tables_replace_buffer(t, 5, (const uint8_t *)"x", 1, NULL, &t2, NULL), CAPE_STATUS_OUT_OF_RANGE);
    CHECK_STATUS(cape_tables_replace_path(t, 0xffffffffu, path, &t2, NULL), CAPE_STATUS_OUT_OF_RANGE);
    CHECK_STATUS(cape_tables_replace_path(t, CAPE_TABLE_KIND_RATES, "/nonexistent/rates.csv", &t2, NULL),
                 CAPE_STATUS_IO);
    CHECK(t2 == NULL);
    cape_tables_free(t);
}

/* An entry built field by field: the same report as test_es003_buffer's first entry. */
static cape_es003 *build_report(void) {
    cape_es003_builder *b = NULL;
    cape_es003 *report = NULL;
    CHECK_STATUS(cape_es003_builder_new(&b, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_begin_entry(b, "ABC-1234567-6", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_entry_field(b, "Entry Date", "03/15/2025", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_entry_field(b, "Entry Type Code", "01", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_entry_field(b, "Importer Number", "12-345678900", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_begin_line(b, 1, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_line_field(b, "Country of Origin Code", "CN", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_add_tariff(b, 1, "8471300100", "10000.00", "0.00", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_add_tariff(b, 2, "99030125", NULL, "1000.00", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_begin_entry(b, "ABC-1234567-5", NULL), CAPE_STATUS_OK); /* bad check digit */
    CHECK_STATUS(cape_es003_builder_entry_field(b, "Entry Date", "2025-03-15", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_begin_line(b, 1, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_add_tariff(b, 1, "99030125", NULL, "5.00", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_build(b, &report, NULL), CAPE_STATUS_OK);
    cape_es003_builder_free(b);
    return report;
}

static void test_builder(void) {
    cape_es003_builder *b = NULL;
    cape_es003 *report = build_report();
    cape_ingest_summary summary;
    SIZED(summary);
    char *number = NULL;
    cape_error *err = NULL;

    CHECK(report != NULL);
    CHECK(cape_es003_entry_count(report) == 1);
    CHECK_STATUS(cape_es003_summary(report, &summary, NULL), CAPE_STATUS_OK);
    CHECK(summary.rows_read == 3 && summary.rows_used == 2 && summary.rows_rejected == 1);
    CHECK(summary.tariff_rows == 2);
    CHECK_STATUS(cape_es003_entry_number(report, 0, &number, NULL), CAPE_STATUS_OK);
    CHECK_STR(number, "ABC-1234567-6");
    cape_string_free(number);
    cape_es003_free(report);

    /* order errors */
    CHECK_STATUS(cape_es003_builder_new(&b, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_entry_field(b, "Entry Date", "2025-03-15", &err), CAPE_STATUS_INVALID_VALUE);
    CHECK(strstr(cape_error_message(err), "no entry begun") != NULL);
    cape_error_free(err);
    err = NULL;
    CHECK_STATUS(cape_es003_builder_begin_line(b, 1, NULL), CAPE_STATUS_INVALID_VALUE);
    CHECK_STATUS(cape_es003_builder_begin_entry(b, "ABC-1234567-6", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_line_field(b, "SPI", "A", NULL), CAPE_STATUS_INVALID_VALUE);
    CHECK_STATUS(cape_es003_builder_add_tariff(b, 1, "99030125", NULL, "1.00", NULL), CAPE_STATUS_INVALID_VALUE);
    CHECK_STATUS(cape_es003_builder_entry_field(b, "HTS Number - Full", "99030125", NULL), CAPE_STATUS_INVALID_VALUE);
    CHECK_STATUS(cape_es003_builder_entry_field(b, "Entry Date", "\xff", NULL), CAPE_STATUS_INVALID_UTF8);
    cape_es003_builder_free(b);
}

/* Builder column names are checked at once against cape-core's columns; absent optional columns are one fact. */
static void test_builder_columns(void) {
    cape_es003_builder *b = NULL;
    cape_es003 *report = NULL;
    cape_ingest_summary summary;
    cape_diagnostic d;
    cape_error *err = NULL;
    SIZED(summary);
    SIZED(d);

    CHECK_STATUS(cape_es003_builder_new(&b, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_begin_entry(b, "ABC-1234567-6", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_entry_field(b, "Entry Dte", "2025-03-15", &err), CAPE_STATUS_INVALID_VALUE);
    CHECK_STR(cape_error_message(err),
              "invalid column \"Entry Dte\": not an ES-003 column cape reads; did you mean \"Entry Date\"?");
    cape_error_free(err);
    err = NULL;
    CHECK_STATUS(cape_es003_builder_entry_field(b, "Colour", "red", &err), CAPE_STATUS_INVALID_VALUE);
    CHECK(strstr(cape_error_message(err), "\"Colour\": not an ES-003 column cape reads") != NULL);
    cape_error_free(err);
    err = NULL;
    /* a name as a header cell may write it: the same column */
    CHECK_STATUS(cape_es003_builder_entry_field(b, "entry_date", "2025-03-15", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_begin_line(b, 1, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_line_field(b, "Country of Orign", "CN", &err), CAPE_STATUS_INVALID_VALUE);
    CHECK(strstr(cape_error_message(err), "did you mean \"Country of Origin\"?") != NULL);
    cape_error_free(err);
    err = NULL;
    CHECK_STATUS(cape_es003_builder_add_tariff(b, 1, "99030125", NULL, "10.00", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_begin_entry(b, "B76-0158522-0", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_entry_field(b, "Entry Date", "2025-04-15", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_begin_line(b, 1, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_add_tariff(b, 1, "99030125", NULL, "5.00", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_build(b, &report, NULL), CAPE_STATUS_OK);
    CHECK(cape_es003_entry_count(report) == 2);
    /* two minimal entries: one info diagnostic names every absent optional column (37: the 44 columns less the
     * 6 required and the goods value, which the builder writes) */
    CHECK_STATUS(cape_es003_summary(report, &summary, NULL), CAPE_STATUS_OK);
    CHECK(summary.rows_read == 2 && summary.rows_used == 2 && summary.rows_rejected == 0);
    CHECK(summary.diagnostics == 1 && summary.infos == 1 && summary.errors == 0 && summary.warnings == 0);
    CHECK(cape_es003_diagnostic_count(report) == 1);
    CHECK_STATUS(cape_es003_diagnostic(report, 0, &d, NULL), CAPE_STATUS_OK);
    CHECK_STR(d.code, "ES003_MISSING_OPTIONAL_COLUMN");
    CHECK(d.severity == CAPE_SEVERITY_INFO && d.row == 0 && d.column == NULL);
    CHECK(strncmp(d.message, "37 optional columns not supplied; ", 34) == 0);
    CHECK(strstr(d.message, "Country of Origin Code") != NULL && strstr(d.message, "ACH Refund Enrolled") != NULL);
    CHECK(strstr(d.message, "Entry Date") == NULL);
    cape_es003_free(report);
    cape_es003_builder_free(b);
}

static void test_options(void) {
    cape_assess_options *o = NULL;
    cape_tables *t = NULL;
    cape_error *err = NULL;

    CHECK_STATUS(cape_assess_options_new("2026-13-01", &o, &err), CAPE_STATUS_INVALID_DATE);
    CHECK(o == NULL);
    cape_error_free(err);
    err = NULL;
    CHECK_STATUS(cape_assess_options_new("2026-04-20", &o, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_tables_embedded(&t, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_options_set_rules(o, "phase1", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_options_set_urgent_days(o, 30, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_options_set_last_day_offset(o, 80, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_options_set_last_day_offset(o, -1, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_options_set_last_day_offset(o, 5000000000LL, NULL), CAPE_STATUS_OUT_OF_RANGE);
    CHECK_STATUS(cape_assess_options_set_default_class(o, CAPE_IMPORTER_CLASS_NONCORPORATE, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_options_set_default_class(o, 2, NULL), CAPE_STATUS_OUT_OF_RANGE);
    CHECK_STATUS(cape_assess_options_assume_last_rate(o, t, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_options_set_assumed_rate(o, "2026-07-01", "7", "8", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_options_set_assumed_rate(o, "2026-07-01", "-7", "8", NULL), CAPE_STATUS_INVALID_VALUE);
    CHECK_STATUS(cape_assess_options_set_assumed_rate(o, "July", "7", "8", NULL), CAPE_STATUS_INVALID_DATE);
    CHECK_STATUS(cape_assess_options_add_accepted(o, "ABC-1234567-6", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_options_add_accepted(o, "ABC-1234567-5", NULL), CAPE_STATUS_INVALID_ENTRY_NUMBER);
    cape_assess_options_free(o);
    cape_tables_free(t);
}

static const cape_entry_result *find_entry(const cape_assessment *a, const char *number, cape_entry_result *out,
                                           size_t *index) {
    size_t i, n = cape_assessment_entry_count(a);
    for (i = 0; i < n; i++) {
        if (cape_assessment_entry(a, i, out, NULL) == CAPE_STATUS_OK && strcmp(out->entry_number, number) == 0) {
            *index = i;
            return out;
        }
    }
    return NULL;
}

static void test_assessment(const char *sample) {
    cape_tables *t = NULL;
    cape_assess_options *o = NULL;
    cape_assessment *a = NULL, *a2 = NULL;
    cape_entry_result r;
    SIZED(r);
    cape_reason reason;
    SIZED(reason);
    cape_assess_totals totals;
    SIZED(totals);
    cape_declarations *d = NULL;
    cape_preflight *pf = NULL;
    cape_check_finding f;
    SIZED(f);
    cape_verdict verdict;
    cape_consolidation *c = NULL;
    cape_refund_totals ct;
    SIZED(ct);
    cape_refund refund;
    SIZED(refund);
    cape_es003 *report;
    cape_error *err = NULL;
    const char *name = NULL, *contents = NULL;
    size_t i, idx = 0, n;
    int found;
    static const char decl[] = "Entry Number\nWQH07492076\nWQH07492092\nABC12345675\n";

    CHECK_STATUS(cape_tables_embedded(&t, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_options_new("2026-04-20", &o, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_path(sample, t, o, &a, &err), CAPE_STATUS_OK);
    if (a == NULL) {
        fprintf(stderr, "assess %s: %s\n", sample, cape_error_message(err));
        cape_error_free(err);
        err = NULL;
        cape_assess_options_free(o);
        cape_tables_free(t);
        return;
    }
    cape_tables_free(t); /* the assessment does not borrow the tables */
    t = NULL;
    CHECK(cape_assessment_entry_count(a) == 2000);

    /* an eligible entry with a known principal and interest */
    CHECK(find_entry(a, "WQH-0749207-6", &r, &idx) != NULL);
    CHECK(r.status == CAPE_CLAIM_STATUS_ELIGIBLE);
    CHECK_STR(r.status_name, "eligible");
    CHECK_STR(r.ieepa_duty, "48.30");
    CHECK_STR(r.duty_before, "169.05");
    CHECK_STR(r.duty_after, "120.75");
    CHECK_STR(r.interest, "3.87");
    CHECK_STR(r.deposit_date, "2025-02-09");
    CHECK_STR(r.deposit_date_rule, "payment_date");
    CHECK_STR(r.projected_liquidation_date, "2026-06-04");
    CHECK_STR(r.refund_recipient, "41-7272072A1");
    CHECK(r.refund_held == CAPE_REFUND_HELD_NO);
    CHECK(r.last_filing_day == NULL && !r.has_days_left);
    CHECK_STR(r.rule_set, "phase1");
    CHECK_STR(r.importer_class, "corporate");
    CHECK(r.reason_count == 0);
    CHECK_STATUS(cape_assessment_reason(a, idx, 0, &reason, NULL), CAPE_STATUS_OUT_OF_RANGE);

    /* an ineligible entry: finally liquidated, with CBP's message */
    CHECK(find_entry(a, "WQH-0749209-2", &r, &idx) != NULL);
    CHECK(r.status == CAPE_CLAIM_STATUS_INELIGIBLE);
    CHECK_STR(r.ieepa_duty, "2429.50");
    CHECK_STR(r.last_filing_day, "2026-08-11");
    CHECK(r.has_days_left && r.days_left == 113);
    CHECK(r.interest == NULL);
    CHECK(r.reason_count == 1);
    CHECK_STATUS(cape_assessment_reason(a, idx, 0, &reason, NULL), CAPE_STATUS_OK);
    CHECK_STR(reason.code, "FINALLY_LIQUIDATED");
    CHECK_STR(reason.effect, "ineligible");
    CHECK(reason.message != NULL && reason.cbp_message != NULL);

    /* findings */
    CHECK(find_entry(a, "VSU-0828889-3", &r, &idx) != NULL);
    CHECK(r.finding_count >= 1);
    CHECK_STATUS(cape_assessment_finding(a, idx, 0, &reason, NULL), CAPE_STATUS_OK);
    CHECK_STR(reason.code, "NO_DUTIABLE_IEEPA");
    CHECK(reason.effect == NULL);
    CHECK_STATUS(cape_assessment_finding(a, idx, r.finding_count, &reason, NULL), CAPE_STATUS_OUT_OF_RANGE);
    CHECK_STATUS(cape_assessment_entry(a, 2000, &r, NULL), CAPE_STATUS_OUT_OF_RANGE);
    CHECK_STATUS(cape_assessment_reason(a, 2000, 0, &reason, NULL), CAPE_STATUS_OUT_OF_RANGE);

    /* totals */
    CHECK_STATUS(cape_assessment_totals(a, &totals, NULL), CAPE_STATUS_OK);
    CHECK(totals.entries == 2000);
    CHECK(totals.eligible + totals.eligible_deferred + totals.ineligible + totals.needs_review == 2000);
    CHECK(totals.eligible > 0 && totals.ineligible > 0);
    CHECK_STR(totals.rule_set, "phase1");
    CHECK(totals.ieepa_duty != NULL && totals.interest != NULL && totals.declarable_ieepa_duty != NULL);

    /* declarations: in memory and to a directory */
    CHECK_STATUS(cape_declarations_build(a, 0, false, NULL, &d, NULL), CAPE_STATUS_OK);
    n = cape_declarations_file_count(d);
    CHECK(n == 2); /* one declaration file + the manifest */
    CHECK_STATUS(cape_declarations_file(d, 0, &name, &contents, NULL), CAPE_STATUS_OK);
    CHECK(strncmp(name, "cape-declaration", 16) == 0);
    CHECK(strncmp(contents, "Entry Number\n", 13) == 0);
    CHECK(strstr(contents, "WQH07492076\n") != NULL);
    CHECK(strstr(contents, "WQH07492092\n") == NULL); /* ineligible: not declared */
    CHECK_STATUS(cape_declarations_file(d, 1, &name, NULL, NULL), CAPE_STATUS_OK);
    CHECK_STR(name, "manifest.csv");
    CHECK_STATUS(cape_declarations_file(d, n, &name, &contents, NULL), CAPE_STATUS_OUT_OF_RANGE);
    /* The folder holds an earlier run's files when the test runs again: replace them. */
    CHECK_STATUS(cape_declarations_write_opts(d, "target/c-test-declarations", CAPE_WRITE_REPLACE, NULL),
                 CAPE_STATUS_OK);
    /* Without the flag a folder that is not empty is refused, naming what is in it. */
    CHECK_STATUS(cape_declarations_write(d, "target/c-test-declarations", &err), CAPE_STATUS_OUTPUT_NOT_EMPTY);
    CHECK(err != NULL && cape_error_code(err) == CAPE_STATUS_OUTPUT_NOT_EMPTY);
    CHECK(err != NULL && strstr(cape_error_message(err), "cape-declaration-001.csv") != NULL);
    cape_error_free(err);
    err = NULL;
    CHECK_STATUS(cape_declarations_write_opts(d, "target/c-test-declarations", 2, NULL), CAPE_STATUS_OUT_OF_RANGE);
    cape_declarations_free(d);
    d = NULL;
    test_reconciliation(totals.eligible + totals.eligible_deferred);
    CHECK_STATUS(cape_declarations_build(a, 10000, false, NULL, &d, NULL), CAPE_STATUS_INVALID_VALUE);
    CHECK_STATUS(cape_declarations_build(a, 0, false, "a/b", &d, NULL), CAPE_STATUS_INVALID_VALUE);
    CHECK(d == NULL);
    CHECK_STATUS(cape_declarations_build(a, 50, true, "batch", &d, NULL), CAPE_STATUS_OK);
    CHECK(cape_declarations_file_count(d) > 2);
    cape_declarations_free(d);

    /* pre-flight: the file written above passes; a hand-made one against the assessment does not */
    CHECK_STATUS(cape_preflight_path("target/c-test-declarations/cape-declaration-001.csv", a, &pf, &err),
                 CAPE_STATUS_OK);
    if (pf == NULL) {
        fprintf(stderr, "preflight: %s\n", cape_error_message(err));
        cape_error_free(err);
        err = NULL;
    }
    CHECK_STATUS(cape_preflight_verdict(pf, &verdict, NULL), CAPE_STATUS_OK);
    CHECK(verdict == CAPE_VERDICT_ACCEPT);
    cape_preflight_free(pf);
    pf = NULL;
    CHECK_STATUS(cape_preflight_buffer((const uint8_t *)decl, strlen(decl), "decl.csv", a, &pf, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_preflight_verdict(pf, &verdict, NULL), CAPE_STATUS_OK);
    CHECK(verdict == CAPE_VERDICT_REJECT_ENTRIES);
    found = 0;
    for (i = 0; i < cape_preflight_finding_count(pf); i++) {
        CHECK_STATUS(cape_preflight_finding(pf, i, &f, NULL), CAPE_STATUS_OK);
        if (strcmp(f.code, "ENTRY_INELIGIBLE") == 0) {
            found |= 1;
            CHECK(f.level == CAPE_FINDING_LEVEL_ENTRY && f.row == 3);
        }
        if (strcmp(f.code, "BAD_CHECK_DIGIT") == 0) {
            found |= 2;
            CHECK(f.row == 4);
        }
    }
    CHECK(found == 3);
    CHECK_STATUS(cape_preflight_finding(pf, cape_preflight_finding_count(pf), &f, NULL), CAPE_STATUS_OUT_OF_RANGE);
    cape_preflight_free(pf);
    pf = NULL;
    /* a zero-length declaration is a file rejection, not a failure */
    CHECK_STATUS(cape_preflight_buffer(NULL, 0, NULL, NULL, &pf, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_preflight_verdict(pf, &verdict, NULL), CAPE_STATUS_OK);
    CHECK(verdict == CAPE_VERDICT_REJECT_FILE);
    cape_preflight_free(pf);
    pf = NULL;
    CHECK_STATUS(cape_preflight_path("/nonexistent/decl.csv", NULL, &pf, NULL), CAPE_STATUS_IO);
    CHECK(pf == NULL);

    /* consolidation */
    CHECK_STATUS(cape_consolidate(a, NULL, &c, NULL), CAPE_STATUS_OK);
    CHECK(cape_consolidation_refund_count(c) > 0);
    CHECK_STATUS(cape_consolidation_totals(c, &ct, NULL), CAPE_STATUS_OK);
    CHECK(ct.entries == totals.eligible || ct.entries <= totals.eligible);
    n = 0;
    for (i = 0; i < cape_consolidation_refund_count(c); i++) {
        CHECK_STATUS(cape_consolidation_refund(c, i, &refund, NULL), CAPE_STATUS_OK);
        CHECK(refund.recipient != NULL && refund.total != NULL && strlen(refund.liquidation_date) == 10);
        n += refund.entries;
        if (strcmp(refund.recipient, "41-7272072A1") == 0 && strcmp(refund.liquidation_date, "2026-06-04") == 0 &&
            refund.entries == 1) {
            CHECK_STR(refund.principal, "48.30");
            CHECK_STR(refund.interest, "3.87");
            CHECK_STR(refund.total, "52.17");
        }
    }
    CHECK((uint64_t)n == ct.entries);
    /* paid is every refund due, held ones included: with no minimum refund, paid == principal + interest;
     * held is the part of paid in refunds held for missing ACH enrollment (0 <= held <= paid) */
    CHECK_STR(ct.principal, "13262052.97");
    CHECK_STR(ct.interest, "588368.32");
    CHECK_STR(ct.paid, "13850421.29");
    CHECK_STR(ct.held, "1059687.86");
    CHECK(cents_of(ct.paid) == cents_of(ct.principal) + cents_of(ct.interest));
    CHECK(cents_of(ct.held) > 0 && cents_of(ct.held) <= cents_of(ct.paid));
    {
        int64_t all = 0, held = 0;
        for (i = 0; i < cape_consolidation_refund_count(c); i++) {
            CHECK_STATUS(cape_consolidation_refund(c, i, &refund, NULL), CAPE_STATUS_OK);
            all += cents_of(refund.total);
            if (refund.held) held += cents_of(refund.total);
        }
        CHECK(all == cents_of(ct.paid) && held == cents_of(ct.held));
    }
    CHECK_STATUS(cape_consolidation_refund(c, cape_consolidation_refund_count(c), &refund, NULL),
                 CAPE_STATUS_OUT_OF_RANGE);
    cape_consolidation_free(c);
    c = NULL;
    CHECK_STATUS(cape_consolidate(a, "ten", &c, NULL), CAPE_STATUS_INVALID_MONEY);
    CHECK(c == NULL);
    /* the minimum refund is a canonical, non-negative amount */
    CHECK_STATUS(cape_consolidate(a, "-5", &c, &err), CAPE_STATUS_INVALID_MONEY);
    CHECK(c == NULL);
    CHECK_STR(cape_error_message(err), "invalid minimum_refund \"-5\": negative; must be 0 or more");
    cape_error_free(err);
    err = NULL;
    CHECK_STATUS(cape_consolidate(a, "$20.00", &c, NULL), CAPE_STATUS_INVALID_MONEY);
    CHECK_STATUS(cape_consolidate(a, "1,000.00", &c, NULL), CAPE_STATUS_INVALID_MONEY);
    CHECK_STATUS(cape_consolidate(a, "20.005", &c, NULL), CAPE_STATUS_INVALID_MONEY);
    CHECK(c == NULL);
    CHECK_STATUS(cape_consolidate(a, "20", &c, NULL), CAPE_STATUS_OK);
    cape_consolidation_free(c);
    c = NULL;
    cape_assessment_free(a);

    /* rules: an unknown name; phase2; an entry already accepted */
    CHECK_STATUS(cape_tables_embedded(&t, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_options_set_rules(o, "phase7", NULL), CAPE_STATUS_OK);
    a = NULL;
    CHECK_STATUS(cape_assess_path(sample, t, o, &a, &err), CAPE_STATUS_INVALID_VALUE);
    CHECK(a == NULL);
    cape_error_free(err);
    err = NULL;
    CHECK_STATUS(cape_assess_options_set_rules(o, "auto", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_options_add_accepted(o, "ABC-1234567-6", NULL), CAPE_STATUS_OK);
    report = build_report();
    CHECK_STATUS(cape_assess_es003(report, t, o, &a2, NULL), CAPE_STATUS_OK);
    CHECK(cape_assessment_entry_count(a2) == 1);
    CHECK_STATUS(cape_assessment_entry(a2, 0, &r, NULL), CAPE_STATUS_OK);
    CHECK_STR(r.entry_number, "ABC-1234567-6");
    CHECK_STR(r.ieepa_duty, "1000.00");
    CHECK(r.status == CAPE_CLAIM_STATUS_INELIGIBLE);
    found = 0;
    for (i = 0; i < r.reason_count; i++) {
        CHECK_STATUS(cape_assessment_reason(a2, 0, i, &reason, NULL), CAPE_STATUS_OK);
        found |= strcmp(reason.code, "ALREADY_DECLARED") == 0;
    }
    CHECK(found);
    cape_assessment_free(a2);
    cape_es003_free(report);

    /* from a buffer */
    a2 = NULL;
    CHECK_STATUS(cape_assess_buffer((const uint8_t *)CSV, strlen(CSV), "inline.csv", t, o, &a2, NULL), CAPE_STATUS_OK);
    CHECK(cape_assessment_entry_count(a2) == 2);
    cape_assessment_free(a2);
    a2 = NULL;
    CHECK_STATUS(cape_assess_buffer(NULL, 0, NULL, t, o, &a2, NULL), CAPE_STATUS_INVALID_FORMAT);
    CHECK(a2 == NULL);
    cape_assess_options_free(o);
    cape_tables_free(t);
}

static void test_results(void) {
    static const char results[] =
        "ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION\n"
        "ABC12345676,C-0001,Entry Summary Updated,\n"
        "B7601585220,C-0001,Failed,ENTRY ON DRAWBACK\n"
        "XYZ,C-0001,Failed,SOMETHING NEW\n";
    cape_results *res = NULL;
    cape_result_row row;
    SIZED(row);
    cape_error *err = NULL;

    CHECK_STATUS(cape_results_buffer((const uint8_t *)results, strlen(results), "claims.csv", &res, &err),
                 CAPE_STATUS_OK);
    if (res == NULL) {
        fprintf(stderr, "results: %s\n", cape_error_message(err));
        cape_error_free(err);
        return;
    }
    CHECK(cape_results_row_count(res) == 3);
    CHECK_STATUS(cape_results_row(res, 0, &row, NULL), CAPE_STATUS_OK);
    CHECK(row.row == 2);
    CHECK_STR(row.entry_number, "ABC-1234567-6");
    CHECK_STR(row.claim_number, "C-0001");
    CHECK_STR(row.status, "entry_summary_updated");
    CHECK(row.error_kind == NULL && row.error_text == NULL && row.remedy == NULL);
    CHECK_STATUS(cape_results_row(res, 1, &row, NULL), CAPE_STATUS_OK);
    CHECK_STR(row.status, "failed");
    CHECK_STR(row.error_kind, "entry_on_drawback");
    CHECK_STR(row.error_text, "ENTRY ON DRAWBACK");
    CHECK(row.remedy != NULL && strlen(row.remedy) > 0);
    CHECK_STATUS(cape_results_row(res, 2, &row, NULL), CAPE_STATUS_OK);
    CHECK(row.entry_number == NULL);
    CHECK_STR(row.entry_text, "XYZ");
    CHECK_STR(row.error_kind, "unknown");
    CHECK_STATUS(cape_results_row(res, 3, &row, NULL), CAPE_STATUS_OUT_OF_RANGE);
    cape_results_free(res);
    res = NULL;
    CHECK_STATUS(cape_results_buffer(NULL, 0, NULL, &res, NULL), CAPE_STATUS_INVALID_FORMAT);
    CHECK_STATUS(cape_results_buffer((const uint8_t *)"A,B\n1,2\n", 8, NULL, &res, NULL), CAPE_STATUS_MISSING_COLUMN);
    CHECK_STATUS(cape_results_path("/nonexistent/claims.csv", &res, NULL), CAPE_STATUS_IO);
    CHECK(res == NULL);
}

/* Several threads share one const cape_tables *, each assessing with its own options and results. */
#define THREADS 4
struct thread_job {
    const cape_tables *tables;
    const char *sample;
    cape_status status;
    size_t entries;
    char principal[32];
};

static void *assess_thread(void *arg) {
    struct thread_job *job = (struct thread_job *)arg;
    cape_assess_options *o = NULL;
    cape_assessment *a = NULL;
    cape_assess_totals totals;
    SIZED(totals);
    job->status = cape_assess_options_new("2026-04-20", &o, NULL);
    if (job->status == CAPE_STATUS_OK) job->status = cape_assess_path(job->sample, job->tables, o, &a, NULL);
    if (job->status == CAPE_STATUS_OK) job->status = cape_assessment_totals(a, &totals, NULL);
    if (job->status == CAPE_STATUS_OK) {
        job->entries = cape_assessment_entry_count(a);
        snprintf(job->principal, sizeof job->principal, "%s", totals.ieepa_duty);
    }
    cape_assessment_free(a);
    cape_assess_options_free(o);
    return NULL;
}

static void test_threads(const char *sample) {
    cape_tables *t = NULL;
    pthread_t threads[THREADS];
    struct thread_job jobs[THREADS];
    int i;
    CHECK_STATUS(cape_tables_embedded(&t, NULL), CAPE_STATUS_OK);
    for (i = 0; i < THREADS; i++) {
        memset(&jobs[i], 0, sizeof jobs[i]);
        jobs[i].tables = t;
        jobs[i].sample = sample;
        CHECK(pthread_create(&threads[i], NULL, assess_thread, &jobs[i]) == 0);
    }
    for (i = 0; i < THREADS; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        CHECK(jobs[i].status == CAPE_STATUS_OK);
        CHECK(jobs[i].entries == 2000);
        CHECK(strcmp(jobs[i].principal, jobs[0].principal) == 0 && strlen(jobs[0].principal) > 0);
    }
    cape_tables_free(t);
}

/* NULL for every pointer parameter that must not be NULL: CAPE_STATUS_NULL_ARGUMENT, nothing written. */
static void test_misuse(void) {
    cape_tables *t = NULL, *t2 = NULL;
    cape_assess_options *o = NULL;
    cape_assessment *a = NULL;
    cape_es003 *report = NULL;
    cape_es003_builder *b = NULL;
    cape_declarations *d = NULL;
    cape_preflight *pf = NULL;
    cape_results *res = NULL;
    cape_consolidation *c = NULL;
    cape_interest_explanation *ex = NULL;
    cape_entry_result r;
    SIZED(r);
    cape_reason reason;
    SIZED(reason);
    cape_assess_totals totals;
    SIZED(totals);
    cape_check_finding f;
    SIZED(f);
    cape_verdict verdict;
    cape_result_row row;
    SIZED(row);
    cape_refund refund;
    SIZED(refund);
    cape_refund_totals ct;
    SIZED(ct);
    cape_period p;
    SIZED(p);
    char *s = NULL;
    const char *name = NULL;
    static const char decl[] = "Entry Number\nABC12345676\n";
    static const char results[] = "ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION\nABC12345676,C,Failed,X\n";
    const cape_status NUL = CAPE_STATUS_NULL_ARGUMENT;

    CHECK_STATUS(cape_tables_embedded(NULL, NULL), NUL);
    CHECK_STATUS(cape_tables_embedded(&t, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_tables_replace_path(NULL, 0, "x", &t2, NULL), NUL);
    CHECK_STATUS(cape_tables_replace_path(t, 0, NULL, &t2, NULL), NUL);
    CHECK_STATUS(cape_tables_replace_path(t, 0, "x", NULL, NULL), NUL);
    CHECK_STATUS(cape_tables_replace_buffer(NULL, 0, (const uint8_t *)"x", 1, NULL, &t2, NULL), NUL);
    CHECK_STATUS(cape_tables_replace_buffer(t, 0, NULL, 1, NULL, &t2, NULL), NUL);
    CHECK_STATUS(cape_tables_replace_buffer(t, 0, (const uint8_t *)"x", 1, NULL, NULL, NULL), NUL);
    CHECK_STATUS(cape_tables_replace_buffer(t, 0, (const uint8_t *)"x", 1, "\xff", &t2, NULL), CAPE_STATUS_INVALID_UTF8);
    CHECK(t2 == NULL);

    CHECK_STATUS(cape_assess_options_new(NULL, &o, NULL), NUL);
    CHECK_STATUS(cape_assess_options_new("2026-04-20", NULL, NULL), NUL);
    CHECK_STATUS(cape_assess_options_new("\xff", &o, NULL), CAPE_STATUS_INVALID_UTF8);
    CHECK_STATUS(cape_assess_options_new("2026-04-20", &o, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_options_set_rules(NULL, "auto", NULL), NUL);
    CHECK_STATUS(cape_assess_options_set_rules(o, NULL, NULL), NUL);
    CHECK_STATUS(cape_assess_options_set_rules(o, "\xff", NULL), CAPE_STATUS_INVALID_UTF8);
    CHECK_STATUS(cape_assess_options_set_urgent_days(NULL, 1, NULL), NUL);
    CHECK_STATUS(cape_assess_options_set_last_day_offset(NULL, 1, NULL), NUL);
    CHECK_STATUS(cape_assess_options_set_default_class(NULL, 0, NULL), NUL);
    CHECK_STATUS(cape_assess_options_assume_last_rate(NULL, t, NULL), NUL);
    CHECK_STATUS(cape_assess_options_assume_last_rate(o, NULL, NULL), NUL);
    CHECK_STATUS(cape_assess_options_set_assumed_rate(NULL, "2026-07-01", "7", "8", NULL), NUL);
    CHECK_STATUS(cape_assess_options_set_assumed_rate(o, NULL, "7", "8", NULL), NUL);
    CHECK_STATUS(cape_assess_options_set_assumed_rate(o, "2026-07-01", NULL, "8", NULL), NUL);
    CHECK_STATUS(cape_assess_options_set_assumed_rate(o, "2026-07-01", "7", NULL, NULL), NUL);
    CHECK_STATUS(cape_assess_options_add_accepted(NULL, "ABC-1234567-6", NULL), NUL);
    CHECK_STATUS(cape_assess_options_add_accepted(o, NULL, NULL), NUL);

    CHECK_STATUS(cape_es003_builder_new(NULL, NULL), NUL);
    CHECK_STATUS(cape_es003_builder_new(&b, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_begin_entry(NULL, "ABC-1234567-6", NULL), NUL);
    CHECK_STATUS(cape_es003_builder_begin_entry(b, NULL, NULL), NUL);
    CHECK_STATUS(cape_es003_builder_begin_entry(b, "ABC-1234567-6", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_entry_field(NULL, "Entry Date", "2025-03-15", NULL), NUL);
    CHECK_STATUS(cape_es003_builder_entry_field(b, NULL, "2025-03-15", NULL), NUL);
    CHECK_STATUS(cape_es003_builder_entry_field(b, "Entry Date", NULL, NULL), NUL);
    CHECK_STATUS(cape_es003_builder_entry_field(b, "Entry Date", "2025-03-15", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_begin_line(NULL, 1, NULL), NUL);
    CHECK_STATUS(cape_es003_builder_begin_line(b, 1, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_line_field(NULL, "SPI", "A", NULL), NUL);
    CHECK_STATUS(cape_es003_builder_line_field(b, NULL, "A", NULL), NUL);
    CHECK_STATUS(cape_es003_builder_line_field(b, "SPI", NULL, NULL), NUL);
    CHECK_STATUS(cape_es003_builder_add_tariff(NULL, 1, "99030125", NULL, "1.00", NULL), NUL);
    CHECK_STATUS(cape_es003_builder_add_tariff(b, 1, NULL, NULL, "1.00", NULL), NUL);
    CHECK_STATUS(cape_es003_builder_add_tariff(b, 1, "99030125", NULL, NULL, NULL), NUL);
    CHECK_STATUS(cape_es003_builder_add_tariff(b, 1, "99030125", NULL, "1.00", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_es003_builder_build(NULL, &report, NULL), NUL);
    CHECK_STATUS(cape_es003_builder_build(b, NULL, NULL), NUL);
    CHECK_STATUS(cape_es003_builder_build(b, &report, NULL), CAPE_STATUS_OK);

    CHECK_STATUS(cape_assess_es003(NULL, t, o, &a, NULL), NUL);
    CHECK_STATUS(cape_assess_es003(report, NULL, o, &a, NULL), NUL);
    CHECK_STATUS(cape_assess_es003(report, t, NULL, &a, NULL), NUL);
    CHECK_STATUS(cape_assess_es003(report, t, o, NULL, NULL), NUL);
    CHECK_STATUS(cape_assess_path(NULL, t, o, &a, NULL), NUL);
    CHECK_STATUS(cape_assess_path("x", NULL, o, &a, NULL), NUL);
    CHECK_STATUS(cape_assess_path("x", t, NULL, &a, NULL), NUL);
    CHECK_STATUS(cape_assess_path("x", t, o, NULL, NULL), NUL);
    CHECK_STATUS(cape_assess_buffer(NULL, 1, NULL, t, o, &a, NULL), NUL);
    CHECK_STATUS(cape_assess_buffer((const uint8_t *)CSV, 1, NULL, NULL, o, &a, NULL), NUL);
    CHECK_STATUS(cape_assess_buffer((const uint8_t *)CSV, 1, NULL, t, NULL, &a, NULL), NUL);
    CHECK_STATUS(cape_assess_buffer((const uint8_t *)CSV, 1, NULL, t, o, NULL, NULL), NUL);
    CHECK_STATUS(cape_assess_buffer((const uint8_t *)CSV, 1, "\xff", t, o, &a, NULL), CAPE_STATUS_INVALID_UTF8);
    CHECK(a == NULL);
    CHECK_STATUS(cape_assess_es003(report, t, o, &a, NULL), CAPE_STATUS_OK);

    CHECK(cape_assessment_entry_count(NULL) == 0);
    CHECK_STATUS(cape_assessment_entry(NULL, 0, &r, NULL), NUL);
    CHECK_STATUS(cape_assessment_entry(a, 0, NULL, NULL), NUL);
    CHECK_STATUS(cape_assessment_reason(NULL, 0, 0, &reason, NULL), NUL);
    CHECK_STATUS(cape_assessment_reason(a, 0, 0, NULL, NULL), NUL);
    CHECK_STATUS(cape_assessment_finding(NULL, 0, 0, &reason, NULL), NUL);
    CHECK_STATUS(cape_assessment_finding(a, 0, 0, NULL, NULL), NUL);
    CHECK_STATUS(cape_assessment_totals(NULL, &totals, NULL), NUL);
    CHECK_STATUS(cape_assessment_totals(a, NULL, NULL), NUL);

    CHECK_STATUS(cape_declarations_build(NULL, 0, false, NULL, &d, NULL), NUL);
    CHECK_STATUS(cape_declarations_build(a, 0, false, NULL, NULL, NULL), NUL);
    CHECK_STATUS(cape_declarations_build(a, 0, false, "\xff", &d, NULL), CAPE_STATUS_INVALID_UTF8);
    CHECK_STATUS(cape_declarations_build(a, 0, false, NULL, &d, NULL), CAPE_STATUS_OK);
    CHECK(cape_declarations_file_count(NULL) == 0);
    CHECK_STATUS(cape_declarations_file(NULL, 0, &name, NULL, NULL), NUL);
    CHECK_STATUS(cape_declarations_file(d, 0, NULL, NULL, NULL), CAPE_STATUS_OK); /* both outs optional */
    CHECK_STATUS(cape_declarations_write(NULL, "x", NULL), NUL);
    CHECK_STATUS(cape_declarations_write(d, NULL, NULL), NUL);
    CHECK_STATUS(cape_declarations_write_opts(NULL, "x", CAPE_WRITE_REPLACE, NULL), NUL);
    CHECK_STATUS(cape_declarations_write_opts(d, NULL, 0, NULL), NUL);

    CHECK_STATUS(cape_preflight_path(NULL, NULL, &pf, NULL), NUL);
    CHECK_STATUS(cape_preflight_path("x", NULL, NULL, NULL), NUL);
    CHECK_STATUS(cape_preflight_buffer(NULL, 1, NULL, NULL, &pf, NULL), NUL);
    CHECK_STATUS(cape_preflight_buffer((const uint8_t *)decl, strlen(decl), NULL, NULL, NULL, NULL), NUL);
    CHECK_STATUS(cape_preflight_buffer((const uint8_t *)decl, strlen(decl), "\xff", NULL, &pf, NULL),
                 CAPE_STATUS_INVALID_UTF8);
    CHECK_STATUS(cape_preflight_buffer((const uint8_t *)decl, strlen(decl), NULL, a, &pf, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_preflight_verdict(NULL, &verdict, NULL), NUL);
    CHECK_STATUS(cape_preflight_verdict(pf, NULL, NULL), NUL);
    CHECK(cape_preflight_finding_count(NULL) == 0);
    CHECK_STATUS(cape_preflight_finding(NULL, 0, &f, NULL), NUL);
    CHECK_STATUS(cape_preflight_finding(pf, 0, NULL, NULL), NUL);

    CHECK_STATUS(cape_results_path(NULL, &res, NULL), NUL);
    CHECK_STATUS(cape_results_path("x", NULL, NULL), NUL);
    CHECK_STATUS(cape_results_buffer(NULL, 1, NULL, &res, NULL), NUL);
    CHECK_STATUS(cape_results_buffer((const uint8_t *)results, strlen(results), NULL, NULL, NULL), NUL);
    CHECK_STATUS(cape_results_buffer((const uint8_t *)results, strlen(results), "\xff", &res, NULL),
                 CAPE_STATUS_INVALID_UTF8);
    CHECK_STATUS(cape_results_buffer((const uint8_t *)results, strlen(results), NULL, &res, NULL), CAPE_STATUS_OK);
    CHECK(cape_results_row_count(NULL) == 0);
    CHECK_STATUS(cape_results_row(NULL, 0, &row, NULL), NUL);
    CHECK_STATUS(cape_results_row(res, 0, NULL, NULL), NUL);

    CHECK_STATUS(cape_interest(NULL, "2025-06-02", "2026-03-16", 0, NULL, &s, NULL, NULL), NUL);
    CHECK_STATUS(cape_interest("1.00", NULL, "2026-03-16", 0, NULL, &s, NULL, NULL), NUL);
    CHECK_STATUS(cape_interest("1.00", "2025-06-02", NULL, 0, NULL, &s, NULL, NULL), NUL);
    CHECK_STATUS(cape_interest("1.00", "2025-06-02", "2026-03-16", 0, NULL, NULL, &ex, NULL), NUL);
    CHECK(s == NULL && ex == NULL);
    CHECK(cape_interest_period_count(NULL) == 0);
    CHECK(cape_interest_days(NULL) == 0);
    CHECK_STATUS(cape_interest_period(NULL, 0, &p, NULL), NUL);
    CHECK_STATUS(cape_interest("1.00", "2025-06-02", "2026-03-16", 0, t, &s, &ex, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_interest_period(ex, 0, NULL, NULL), NUL);

    CHECK_STATUS(cape_consolidate(NULL, NULL, &c, NULL), NUL);
    CHECK_STATUS(cape_consolidate(a, NULL, NULL, NULL), NUL);
    CHECK_STATUS(cape_consolidate(a, "\xff", &c, NULL), CAPE_STATUS_INVALID_UTF8);
    CHECK_STATUS(cape_consolidate(a, "20.00", &c, NULL), CAPE_STATUS_OK);
    CHECK(cape_consolidation_refund_count(NULL) == 0);
    CHECK_STATUS(cape_consolidation_refund(NULL, 0, &refund, NULL), NUL);
    CHECK_STATUS(cape_consolidation_refund(c, 0, NULL, NULL), NUL);
    CHECK_STATUS(cape_consolidation_totals(NULL, &ct, NULL), NUL);
    CHECK_STATUS(cape_consolidation_totals(c, NULL, NULL), NUL);

    /* freeing NULL is a no-op for every handle */
    cape_tables_free(NULL);
    cape_assess_options_free(NULL);
    cape_es003_builder_free(NULL);
    cape_assessment_free(NULL);
    cape_declarations_free(NULL);
    cape_preflight_free(NULL);
    cape_results_free(NULL);
    cape_interest_explanation_free(NULL);
    cape_consolidation_free(NULL);

    cape_string_free(s);
    cape_interest_explanation_free(ex);
    cape_consolidation_free(c);
    cape_results_free(res);
    cape_preflight_free(pf);
    cape_declarations_free(d);
    cape_assessment_free(a);
    cape_es003_free(report);
    cape_es003_builder_free(b);
    cape_assess_options_free(o);
    cape_tables_free(t);
}

/* The hostile files of the bad-input corpus (tests/data/bad, beside cape-core/data): each is read with every row
 * accounted for, or refused with a status; none aborts the host. */
static void test_hostile_corpus(void) {
    static const struct {
        const char *name;
        cape_status want;
        uint64_t rows_read; /* when read */
    } cases[] = {
        {"xlsx_sparse_xfd1048576.xlsx", CAPE_STATUS_OK, 5},
        {"xlsx_ratio_bomb.xlsx", CAPE_STATUS_INVALID_FORMAT, 0},
        {"xlsx_shared_strings_count_lie.xlsx", CAPE_STATUS_INVALID_FORMAT, 0},
        {"xlsx_4gb_claimed.xlsx", CAPE_STATUS_OK, 4}, /* claims 4 GB, holds 4 rows: read */
        {"legacy_excel97.xls", CAPE_STATUS_INVALID_FORMAT, 0},
        {"utf16le_bom_tab_crlf.csv", CAPE_STATUS_OK, 20},
        {"utf16be_bom_tab_crlf.csv", CAPE_STATUS_OK, 20},
        {"header_only.csv", CAPE_STATUS_INVALID_FORMAT, 0},
        {"all_rows_rejected.csv", CAPE_STATUS_INVALID_FORMAT, 0},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[1200];
        cape_es003 *report = NULL;
        cape_error *err = NULL;
        cape_ingest_summary s;
        SIZED(s);
        snprintf(path, sizeof path, "%s/../../tests/data/bad/%s", data_dir, cases[i].name);
        CHECK_STATUS(cape_es003_open_path(path, &report, &err), cases[i].want);
        if (cases[i].want != CAPE_STATUS_OK) {
            CHECK(report == NULL);
            CHECK(err != NULL && cape_error_code(err) == cases[i].want && strlen(cape_error_message(err)) > 0);
            cape_error_free(err);
            err = NULL;
            continue;
        }
        if (report == NULL) {
            fprintf(stderr, "%s: %s\n", path, cape_error_message(err));
            cape_error_free(err);
            err = NULL;
            continue;
        }
        CHECK_STATUS(cape_es003_summary(report, &s, NULL), CAPE_STATUS_OK);
        CHECK(s.rows_read == cases[i].rows_read);
        CHECK(s.rows_read == s.rows_used + s.rows_rejected);
        CHECK(s.entries > 0);
        cape_es003_free(report);
    }
}

/* ---------------------------------------------------------------------------------------------------------------
 * Streaming (cape_run_*), the run's summary, refund entry lists, reconciliation, growth policy
 */

static int same_str(const char *a, const char *b) {
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int same_reason(const cape_reason *a, const cape_reason *b) {
    return same_str(a->code, b->code) && same_str(a->message, b->message) && same_str(a->cbp_message, b->cbp_message) &&
           same_str(a->effect, b->effect) && a->line == b->line;
}

/* Every field of an entry, as cape_assessment_entry and cape_entry_get give it. */
static int same_entry(const cape_entry_result *a, const cape_entry_result *b) {
    return same_str(a->entry_number, b->entry_number) && a->status == b->status &&
           same_str(a->status_name, b->status_name) && same_str(a->importer_number, b->importer_number) &&
           same_str(a->entry_type, b->entry_type) && same_str(a->entry_date, b->entry_date) &&
           same_str(a->duty_before, b->duty_before) && same_str(a->duty_after, b->duty_after) &&
           same_str(a->ieepa_duty, b->ieepa_duty) && a->principal_is_upper_bound == b->principal_is_upper_bound &&
           same_str(a->liquidation_date, b->liquidation_date) && same_str(a->last_filing_day, b->last_filing_day) &&
           a->days_left == b->days_left && a->has_days_left == b->has_days_left && a->urgent == b->urgent &&
           same_str(a->rule_set, b->rule_set) && same_str(a->deposit_date, b->deposit_date) &&
           same_str(a->deposit_date_rule, b->deposit_date_rule) &&
           same_str(a->projected_acceptance_date, b->projected_acceptance_date) &&
           same_str(a->projected_liquidation_date, b->projected_liquidation_date) &&
           same_str(a->interest, b->interest) && same_str(a->interest_note, b->interest_note) &&
           same_str(a->importer_class, b->importer_class) && same_str(a->refund_recipient, b->refund_recipient) &&
           a->refund_held == b->refund_held && a->reason_count == b->reason_count &&
           a->finding_count == b->finding_count && same_str(a->next_action, b->next_action) &&
           same_str(a->act_by, b->act_by) && same_str(a->next_action_note, b->next_action_note) &&
           same_str(a->refund_due_by, b->refund_due_by);
}

static int same_totals(const cape_assess_totals *a, const cape_assess_totals *b) {
    return a->entries == b->entries && a->eligible == b->eligible && a->eligible_deferred == b->eligible_deferred &&
           a->ineligible == b->ineligible && a->needs_review == b->needs_review && a->urgent == b->urgent &&
           same_str(a->ieepa_duty, b->ieepa_duty) && same_str(a->declarable_ieepa_duty, b->declarable_ieepa_duty) &&
           same_str(a->interest, b->interest) && same_str(a->rule_set, b->rule_set);
}

/* The refunds and totals of two consolidations are the same, entry lists included. */
static int same_consolidation(const cape_consolidation *a, const cape_consolidation *b) {
    size_t i, j, n = cape_consolidation_refund_count(a);
    cape_refund ra, rb;
    cape_refund_totals ta, tb;
    char ea[CAPE_ENTRY_NUMBER_SIZE], eb[CAPE_ENTRY_NUMBER_SIZE];
    SIZED(ra);
    SIZED(rb);
    SIZED(ta);
    SIZED(tb);
    if (n == 0 || n != cape_consolidation_refund_count(b)) return 0;
    if (cape_consolidation_totals(a, &ta, NULL) != CAPE_STATUS_OK) return 0;
    if (cape_consolidation_totals(b, &tb, NULL) != CAPE_STATUS_OK) return 0;
    if (ta.entries != tb.entries || !same_str(ta.principal, tb.principal) || !same_str(ta.interest, tb.interest) ||
        !same_str(ta.paid, tb.paid) || !same_str(ta.held, tb.held))
        return 0;
    for (i = 0; i < n; i++) {
        if (cape_consolidation_refund(a, i, &ra, NULL) != CAPE_STATUS_OK) return 0;
        if (cape_consolidation_refund(b, i, &rb, NULL) != CAPE_STATUS_OK) return 0;
        if (!same_str(ra.recipient, rb.recipient) || !same_str(ra.liquidation_date, rb.liquidation_date) ||
            ra.held != rb.held || !same_str(ra.total, rb.total) || ra.entries != rb.entries || ra.waived != rb.waived ||
            !same_str(ra.waived_principal, rb.waived_principal) || !same_str(ra.refund_due_by, rb.refund_due_by))
            return 0;
        for (j = 0; j < ra.entries; j++) {
            if (cape_consolidation_refund_entry(a, i, CAPE_REFUND_LIST_PAID, j, ea, NULL) != CAPE_STATUS_OK) return 0;
            if (cape_consolidation_refund_entry(b, i, CAPE_REFUND_LIST_PAID, j, eb, NULL) != CAPE_STATUS_OK) return 0;
            if (strcmp(ea, eb) != 0) return 0;
        }
    }
    return 1;
}

/* What the per-entry callback compares against: the materialised assessment of the same file. */
struct stream_check {
    const cape_assessment *whole;
    size_t seen;
    size_t mismatches;
    size_t stop_after; /* 0: never stop */
};

static bool check_entry(const cape_entry *entry, void *user) {
    struct stream_check *c = (struct stream_check *)user;
    cape_entry_result got, want;
    cape_reason rg, rw;
    size_t i;
    SIZED(got);
    SIZED(want);
    SIZED(rg);
    SIZED(rw);
    if (cape_entry_get(entry, &got, NULL) != CAPE_STATUS_OK ||
        cape_assessment_entry(c->whole, c->seen, &want, NULL) != CAPE_STATUS_OK || !same_entry(&got, &want)) {
        c->mismatches++;
    } else {
        for (i = 0; i < got.reason_count; i++) {
            if (cape_entry_reason(entry, i, &rg, NULL) != CAPE_STATUS_OK ||
                cape_assessment_reason(c->whole, c->seen, i, &rw, NULL) != CAPE_STATUS_OK || !same_reason(&rg, &rw))
                c->mismatches++;
        }
        for (i = 0; i < got.finding_count; i++) {
            if (cape_entry_finding(entry, i, &rg, NULL) != CAPE_STATUS_OK ||
                cape_assessment_finding(c->whole, c->seen, i, &rw, NULL) != CAPE_STATUS_OK || !same_reason(&rg, &rw))
                c->mismatches++;
        }
        if (cape_entry_reason(entry, got.reason_count, &rg, NULL) != CAPE_STATUS_OUT_OF_RANGE) c->mismatches++;
    }
    c->seen++;
    return c->stop_after != 0 && c->seen >= c->stop_after;
}

struct progress_log {
    size_t calls;
    bool saw_done;
    uint64_t last_rows;
    uint64_t last_entries;
    bool stop; /* stop the run on the first call */
    const cape_cancel *cancel; /* set it on the first call */
};

static bool log_progress(const cape_progress *p, void *user) {
    struct progress_log *l = (struct progress_log *)user;
    l->calls++;
    if (p->done) l->saw_done = true;
    l->last_rows = p->rows_read;
    l->last_entries = p->entries;
    if (l->cancel != NULL) cape_cancel_set(l->cancel);
    return l->stop;
}

static void test_streaming(const char *sample) {
    cape_tables *t = NULL;
    cape_assess_options *o = NULL;
    cape_assessment *whole = NULL, *streamed = NULL, *summary = NULL, *none = NULL;
    cape_consolidation *cw = NULL, *cs = NULL, *cn = NULL;
    cape_assess_totals tw, ts;
    cape_ingest_summary iw, is;
    cape_diagnostic dg;
    cape_run_options run;
    cape_cancel *cancel = NULL;
    cape_error *err = NULL;
    struct stream_check check;
    struct progress_log log;
    uint32_t threads;
    size_t i;
    SIZED(tw);
    SIZED(ts);
    SIZED(iw);
    SIZED(is);
    SIZED(dg);
    SIZED(run);

    CHECK_STATUS(cape_tables_embedded(&t, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_options_new("2026-04-20", &o, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_path(sample, t, o, &whole, NULL), CAPE_STATUS_OK);
    if (whole == NULL) return;
    CHECK(cape_assessment_entry_count(whole) == 2000);
    CHECK_STATUS(cape_assessment_totals(whole, &tw, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assessment_summary(whole, &iw, NULL), CAPE_STATUS_OK);
    CHECK(iw.rows_read == 9370 && iw.rows_used == 9370 && iw.rows_rejected == 0 && iw.entries == 2000);
    CHECK_STATUS(cape_assessment_consolidation(whole, &cw, NULL), CAPE_STATUS_OK);

    /* With a callback: every entry, in file order, with the same fields as the materialising call. */
    memset(&check, 0, sizeof check);
    check.whole = whole;
    run.threads = 1;
    CHECK_STATUS(cape_run_path(sample, t, o, &run, check_entry, &check, &streamed, &err), CAPE_STATUS_OK);
    CHECK(check.seen == 2000 && check.mismatches == 0);
    CHECK(cape_assessment_entry_count(streamed) == 0); /* nothing kept */
    CHECK_STATUS(cape_assessment_totals(streamed, &ts, NULL), CAPE_STATUS_OK);
    CHECK(same_totals(&tw, &ts) && ts.entries == 2000);
    CHECK_STATUS(cape_assessment_summary(streamed, &is, NULL), CAPE_STATUS_OK);
    CHECK(iw.rows_read == is.rows_read && iw.rows_used == is.rows_used && iw.rows_rejected == is.rows_rejected &&
          iw.entries == is.entries && iw.lines == is.lines && iw.tariff_rows == is.tariff_rows &&
          iw.split_entries == is.split_entries && iw.conflicting_entries == is.conflicting_entries &&
          iw.diagnostics == is.diagnostics && iw.errors == is.errors && iw.warnings == is.warnings &&
          iw.infos == is.infos);
    CHECK_STATUS(cape_assessment_consolidation(streamed, &cs, NULL), CAPE_STATUS_OK);
    CHECK(same_consolidation(cw, cs));
    cape_consolidation_free(cs);
    cs = NULL;
    cape_assessment_free(streamed);
    streamed = NULL;

    /* Keep nothing, on one and on two threads (the file may be run in two halves): the same summary. */
    for (threads = 1; threads <= 2; threads++) {
        run.threads = threads;
        CHECK_STATUS(cape_run_path(sample, t, o, &run, NULL, NULL, &summary, NULL), CAPE_STATUS_OK);
        CHECK_STATUS(cape_assessment_totals(summary, &ts, NULL), CAPE_STATUS_OK);
        CHECK(same_totals(&tw, &ts));
        CHECK_STATUS(cape_assessment_summary(summary, &is, NULL), CAPE_STATUS_OK);
        CHECK(is.rows_read == 9370 && is.rows_used == 9370 && is.entries == 2000);
        CHECK_STATUS(cape_assessment_consolidation(summary, &cs, NULL), CAPE_STATUS_OK);
        CHECK(same_consolidation(cw, cs));
        cape_consolidation_free(cs);
        cs = NULL;
        cape_assessment_free(summary);
        summary = NULL;
    }

    /* From a buffer, with a bad row: the diagnostics and the exact count by code come with the summary. */
    run.threads = 0;
    CHECK_STATUS(cape_run_buffer((const uint8_t *)CSV, strlen(CSV), "inline.csv", t, o, &run, NULL, NULL, &summary,
                                 NULL),
                 CAPE_STATUS_OK);
    CHECK_STATUS(cape_assessment_summary(summary, &is, NULL), CAPE_STATUS_OK);
    CHECK(is.rows_read == 5 && is.rows_used == 4 && is.rows_rejected == 1 && is.entries == 2);
    CHECK(cape_assessment_diagnostic_count(summary) == is.diagnostics && is.errors == 1);
    for (i = 0; i < cape_assessment_diagnostic_count(summary); i++) {
        CHECK_STATUS(cape_assessment_diagnostic(summary, i, &dg, NULL), CAPE_STATUS_OK);
        if (dg.severity == CAPE_SEVERITY_ERROR) break;
    }
    CHECK_STR(dg.code, "ES003_INVALID_ENTRY_NUMBER");
    CHECK(dg.row == 6 && dg.severity == CAPE_SEVERITY_ERROR);
    CHECK(cape_assessment_code_count(summary, "ES003_INVALID_ENTRY_NUMBER") == 1);
    CHECK(cape_assessment_code_count(summary, "NO_SUCH_CODE") == 0);
    CHECK_STATUS(cape_assessment_diagnostic(summary, cape_assessment_diagnostic_count(summary), &dg, NULL),
                 CAPE_STATUS_OUT_OF_RANGE);
    cape_assessment_free(summary);
    summary = NULL;

    /* Progress: called, last with done, with the whole file's counts. */
    memset(&log, 0, sizeof log);
    run.threads = 1;
    run.progress = log_progress;
    run.progress_user = &log;
    CHECK_STATUS(cape_run_path(sample, t, o, &run, NULL, NULL, NULL, NULL), CAPE_STATUS_OK);
    CHECK(log.calls >= 1 && log.saw_done && log.last_rows == 9370 && log.last_entries == 2000);
    /* A progress callback that says stop: CAPE_STATUS_CANCELLED, nothing written to out. */
    memset(&log, 0, sizeof log);
    log.stop = true;
    CHECK_STATUS(cape_run_path(sample, t, o, &run, NULL, NULL, &none, &err), CAPE_STATUS_CANCELLED);
    CHECK(none == NULL && log.calls == 1);
    CHECK(err != NULL && cape_error_code(err) == CAPE_STATUS_CANCELLED);
    cape_error_free(err);
    err = NULL;
    run.progress = NULL;
    run.progress_user = NULL;

    /* An entry callback that says stop after 10 entries. */
    memset(&check, 0, sizeof check);
    check.whole = whole;
    check.stop_after = 10;
    CHECK_STATUS(cape_run_path(sample, t, o, &run, check_entry, &check, &none, NULL), CAPE_STATUS_CANCELLED);
    CHECK(check.seen == 10 && check.mismatches == 0 && none == NULL);

    /* A cancel flag: set before the run, or by another party during it. */
    CHECK_STATUS(cape_cancel_new(&cancel, NULL), CAPE_STATUS_OK);
    CHECK(!cape_cancel_is_set(cancel));
    run.cancel = cancel;
    memset(&log, 0, sizeof log);
    log.cancel = cancel;
    run.progress = log_progress;
    run.progress_user = &log;
    run.progress_every_ms = 1;
    CHECK_STATUS(cape_run_path(sample, t, o, &run, NULL, NULL, &none, NULL), CAPE_STATUS_CANCELLED);
    CHECK(cape_cancel_is_set(cancel) && none == NULL);
    run.progress = NULL;
    CHECK_STATUS(cape_run_path(sample, t, o, &run, check_entry, &check, &none, NULL), CAPE_STATUS_CANCELLED);
    cape_cancel_free(cancel);
    cape_cancel_set(NULL);
    CHECK(!cape_cancel_is_set(NULL));
    run.cancel = NULL;

    /* A minimum refund in the run's consolidation waives what cape_consolidate(.., "60.00") waives. */
    run.minimum_refund = "60.00";
    CHECK_STATUS(cape_run_path(sample, t, o, &run, NULL, NULL, &summary, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assessment_consolidation(summary, &cs, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_consolidate(whole, "60.00", &cn, NULL), CAPE_STATUS_OK);
    CHECK(same_consolidation(cn, cs));
    cape_consolidation_free(cn);
    cape_consolidation_free(cs);
    cape_assessment_free(summary);
    summary = NULL;
    run.minimum_refund = "sixty";
    CHECK_STATUS(cape_run_path(sample, t, o, &run, NULL, NULL, &summary, NULL), CAPE_STATUS_INVALID_MONEY);
    run.minimum_refund = "-5";
    CHECK_STATUS(cape_run_path(sample, t, o, &run, NULL, NULL, &summary, NULL), CAPE_STATUS_INVALID_MONEY);
    run.minimum_refund = "$60.00";
    CHECK_STATUS(cape_run_path(sample, t, o, &run, NULL, NULL, &summary, NULL), CAPE_STATUS_INVALID_MONEY);
    CHECK(summary == NULL);
    run.minimum_refund = NULL;

    /* Pre-flight against the ES-003 streamed gives what pre-flight against the materialised assessment gives;
     * against a run's result (no entry kept) it is refused. */
    {
        static const char decl[] = "Entry Number\nWQH07492076\nWQH07492092\nABC12345675\n";
        const char *decl_path = "target/c-test-preflight-against.csv";
        FILE *f = fopen(decl_path, "wb");
        cape_preflight *p1 = NULL, *p2 = NULL;
        cape_verdict v1, v2;
        cape_check_finding f1, f2;
        SIZED(f1);
        SIZED(f2);
        CHECK(f != NULL);
        if (f != NULL) {
            CHECK(fwrite(decl, 1, strlen(decl), f) == strlen(decl));
            fclose(f);
        }
        CHECK_STATUS(cape_preflight_path(decl_path, whole, &p1, NULL), CAPE_STATUS_OK);
        CHECK_STATUS(cape_preflight_against_path(decl_path, sample, t, o, NULL, &p2, NULL), CAPE_STATUS_OK);
        CHECK_STATUS(cape_preflight_verdict(p1, &v1, NULL), CAPE_STATUS_OK);
        CHECK_STATUS(cape_preflight_verdict(p2, &v2, NULL), CAPE_STATUS_OK);
        CHECK(v1 == CAPE_VERDICT_REJECT_ENTRIES && v2 == v1);
        CHECK(cape_preflight_finding_count(p1) == cape_preflight_finding_count(p2));
        for (i = 0; i < cape_preflight_finding_count(p1); i++) {
            CHECK_STATUS(cape_preflight_finding(p1, i, &f1, NULL), CAPE_STATUS_OK);
            CHECK_STATUS(cape_preflight_finding(p2, i, &f2, NULL), CAPE_STATUS_OK);
            CHECK(same_str(f1.code, f2.code) && f1.row == f2.row && same_str(f1.message, f2.message));
        }
        cape_preflight_free(p1);
        cape_preflight_free(p2);
        p1 = NULL;
        CHECK_STATUS(cape_run_path(sample, t, o, NULL, NULL, NULL, &summary, NULL), CAPE_STATUS_OK);
        CHECK_STATUS(cape_preflight_path(decl_path, summary, &p1, NULL), CAPE_STATUS_INVALID_VALUE);
        CHECK(p1 == NULL);
        cape_assessment_free(summary);
        summary = NULL;
        CHECK_STATUS(cape_preflight_against_path(decl_path, "/nonexistent/es003.csv", t, o, NULL, &p1, NULL),
                     CAPE_STATUS_IO);
        CHECK_STATUS(cape_preflight_against_path(decl_path, NULL, t, o, NULL, &p1, NULL), CAPE_STATUS_NULL_ARGUMENT);
        CHECK(p1 == NULL);
    }

    /* Bad arguments. */
    CHECK_STATUS(cape_run_path(NULL, t, o, NULL, NULL, NULL, &none, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_run_path(sample, NULL, o, NULL, NULL, NULL, &none, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_run_path(sample, t, NULL, NULL, NULL, NULL, &none, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_run_path("/nonexistent/es003.csv", t, o, NULL, NULL, NULL, &none, NULL), CAPE_STATUS_IO);
    CHECK_STATUS(cape_run_buffer(NULL, 3, NULL, t, o, NULL, NULL, NULL, &none, NULL), CAPE_STATUS_NULL_ARGUMENT);
    run.struct_size = 0;
    CHECK_STATUS(cape_run_path(sample, t, o, &run, NULL, NULL, &none, NULL), CAPE_STATUS_BUFFER_TOO_SMALL);
    CHECK(none == NULL);
    {
        cape_entry_result er;
        SIZED(er);
        CHECK_STATUS(cape_entry_get(NULL, &er, NULL), CAPE_STATUS_NULL_ARGUMENT);
        CHECK_STATUS(cape_entry_reason(NULL, 0, NULL, NULL), CAPE_STATUS_NULL_ARGUMENT);
        CHECK_STATUS(cape_entry_finding(NULL, 0, NULL, NULL), CAPE_STATUS_NULL_ARGUMENT);
    }

    /* Growth policy, options read: a caller built when cape_run_options ended before `progress` (struct_size
     * = offsetof(progress)) has its threads read and the rest defaulted, whatever lies beyond. */
    SIZED(run);
    run.struct_size = (uint32_t)offsetof(cape_run_options, progress);
    run.threads = 1;
    memset(&log, 0, sizeof log);
    run.progress = log_progress;
    run.progress_user = &log;
    CHECK_STATUS(cape_run_path(sample, t, o, &run, NULL, NULL, NULL, NULL), CAPE_STATUS_OK);
    CHECK(log.calls == 0);

    cape_consolidation_free(cw);
    cape_assessment_free(whole);
    cape_assess_options_free(o);
    cape_tables_free(t);
}

/* Refunds: the entries each pays, and what a minimum refund waives. */
static void test_refund_entries(const char *sample) {
    cape_tables *t = NULL;
    cape_assess_options *o = NULL;
    cape_assessment *a = NULL;
    cape_consolidation *c = NULL;
    cape_refund r;
    cape_refund_totals ct;
    char number[CAPE_ENTRY_NUMBER_SIZE];
    size_t i, paid = 0, waived = 0, found = 0, n;
    SIZED(r);
    SIZED(ct);

    CHECK_STATUS(cape_tables_embedded(&t, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_options_new("2026-04-20", &o, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_path(sample, t, o, &a, NULL), CAPE_STATUS_OK);
    /* No minimum: WQH-0749207-6 (48.30 + 3.87) is paid with the refund of 41-7272072A1 on 2026-06-04. */
    CHECK_STATUS(cape_consolidate(a, NULL, &c, NULL), CAPE_STATUS_OK);
    n = cape_consolidation_refund_count(c);
    for (i = 0; i < n; i++) {
        size_t j;
        CHECK_STATUS(cape_consolidation_refund(c, i, &r, NULL), CAPE_STATUS_OK);
        CHECK(r.waived == 0 && strcmp(r.waived_principal, "0.00") == 0 && strcmp(r.waived_interest, "0.00") == 0);
        paid += r.entries;
        if (strcmp(r.recipient, "41-7272072A1") == 0 && strcmp(r.liquidation_date, "2026-06-04") == 0) {
            for (j = 0; j < r.entries; j++) {
                CHECK_STATUS(cape_consolidation_refund_entry(c, i, CAPE_REFUND_LIST_PAID, j, number, NULL),
                             CAPE_STATUS_OK);
                found += strcmp(number, "WQH-0749207-6") == 0;
            }
            CHECK_STATUS(cape_consolidation_refund_entry(c, i, CAPE_REFUND_LIST_PAID, r.entries, number, NULL),
                         CAPE_STATUS_OUT_OF_RANGE);
            CHECK_STATUS(cape_consolidation_refund_entry(c, i, CAPE_REFUND_LIST_WAIVED, 0, number, NULL),
                         CAPE_STATUS_OUT_OF_RANGE);
            CHECK_STATUS(cape_consolidation_refund_entry(c, i, 3, 0, number, NULL), CAPE_STATUS_OUT_OF_RANGE);
        }
    }
    CHECK(found == 1);
    CHECK_STATUS(cape_consolidation_totals(c, &ct, NULL), CAPE_STATUS_OK);
    CHECK((uint64_t)paid == ct.entries);
    CHECK_STATUS(cape_consolidation_refund_entry(c, n, CAPE_REFUND_LIST_PAID, 0, number, NULL), CAPE_STATUS_OUT_OF_RANGE);
    CHECK_STATUS(cape_consolidation_refund_entry(c, 0, CAPE_REFUND_LIST_PAID, 0, NULL, NULL), CAPE_STATUS_NULL_ARGUMENT);
    cape_consolidation_free(c);
    c = NULL;

    /* A minimum of 60.00 waives it (52.17 < 60.00): listed as waived with its principal and interest. */
    CHECK_STATUS(cape_consolidate(a, "60.00", &c, NULL), CAPE_STATUS_OK);
    found = 0;
    paid = 0;
    for (i = 0; i < cape_consolidation_refund_count(c); i++) {
        size_t j;
        CHECK_STATUS(cape_consolidation_refund(c, i, &r, NULL), CAPE_STATUS_OK);
        paid += r.entries;
        waived += r.waived;
        for (j = 0; j < r.waived; j++) {
            CHECK_STATUS(cape_consolidation_refund_entry(c, i, CAPE_REFUND_LIST_WAIVED, j, number, NULL), CAPE_STATUS_OK);
            if (strcmp(number, "WQH-0749207-6") == 0 && r.waived == 1) {
                found++;
                CHECK_STR(r.waived_principal, "48.30");
                CHECK_STR(r.waived_interest, "3.87");
            } else if (strcmp(number, "WQH-0749207-6") == 0) {
                found++;
            }
        }
    }
    CHECK(found == 1 && waived > 0);
    CHECK_STATUS(cape_consolidation_totals(c, &ct, NULL), CAPE_STATUS_OK);
    CHECK((uint64_t)(paid + waived) == ct.entries);
    cape_consolidation_free(c);
    cape_assessment_free(a);
    cape_assess_options_free(o);
    cape_tables_free(t);
}

/* Results against the declaration files test_assessment wrote (every declarable entry of the sample). */
static void test_reconciliation(uint64_t declared) {
    static const char results[] =
        "ENTRY_NUMBER,CLAIM_NUMBER,STATUS,ERROR_DESCRIPTION\n"
        "WQH07492076,C-0001,Entry Summary Updated,\n"
        "WQH07492092,C-0001,Failed,ENTRY ON DRAWBACK\n"
        "WQH07492092,C-0002,Failed,ENTRY ON DRAWBACK\n";
    cape_results *res = NULL;
    cape_reconciliation *rec = NULL;
    cape_reconciliation_counts counts;
    char number[CAPE_ENTRY_NUMBER_SIZE];
    SIZED(counts);

    CHECK_STATUS(cape_results_buffer((const uint8_t *)results, strlen(results), "claims.csv", &res, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_results_reconcile(res, "target/c-test-declarations", &rec, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_reconciliation_summary(rec, &counts, NULL), CAPE_STATUS_OK);
    CHECK(counts.matched == 1);
    CHECK((uint64_t)counts.declared_not_in_results == declared - 1);
    CHECK(counts.in_results_not_declared == 1 && counts.repeated_in_results == 1);
    CHECK_STATUS(cape_reconciliation_entry(rec, CAPE_RECONCILIATION_LIST_IN_RESULTS_NOT_DECLARED, 0, number, NULL),
                 CAPE_STATUS_OK);
    CHECK_STR(number, "WQH-0749209-2");
    CHECK_STATUS(cape_reconciliation_entry(rec, CAPE_RECONCILIATION_LIST_REPEATED_IN_RESULTS, 0, number, NULL),
                 CAPE_STATUS_OK);
    CHECK_STR(number, "WQH-0749209-2");
    CHECK_STATUS(cape_reconciliation_entry(rec, CAPE_RECONCILIATION_LIST_DECLARED_NOT_IN_RESULTS, 0, number, NULL),
                 CAPE_STATUS_OK);
    CHECK(strlen(number) == 13 && strcmp(number, "WQH-0749207-6") != 0);
    CHECK_STATUS(cape_reconciliation_entry(rec, CAPE_RECONCILIATION_LIST_REPEATED_IN_RESULTS, 1, number, NULL),
                 CAPE_STATUS_OUT_OF_RANGE);
    CHECK_STATUS(cape_reconciliation_entry(rec, 7, 0, number, NULL), CAPE_STATUS_OUT_OF_RANGE);
    cape_reconciliation_free(rec);
    rec = NULL;
    CHECK_STATUS(cape_results_reconcile(res, "/nonexistent/declarations", &rec, NULL), CAPE_STATUS_IO);
    CHECK(rec == NULL);
    CHECK_STATUS(cape_results_reconcile(res, NULL, &rec, NULL), CAPE_STATUS_NULL_ARGUMENT);
    cape_results_free(res);
}

/* Growth policy, structs filled: smaller struct_size honoured, larger tolerated, unset refused. */
/* Next actions, refund due dates and the plan, with dates computed by hand (CAPE.md §2, §7): last filing day =
 * liquidation + 79, protest by = liquidation + 180 (19 USC 1514), court by = accrual + 2 years (28 USC 2636(i)),
 * refund due = projected (re)liquidation + 30 (19 USC 1505(b)). As of 2026-12-01. */
static const char ACTIONS_CSV[] =
    "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,"
    "Line Tariff Goods Value Amount,Line Tariff Duty Amount,Entry Type Code,Importer Number,Entry Date,"
    "Liquidation Date,Liquidation Status,Protest Number,Protest Status,Entry Summary Status,Drawback Indicator,"
    "AD/CVD Liquidation Status,Payment Date,Country of Origin Code\n"
    /* importer A: liquidated 2026-10-01 (declare by 2026-12-19), 2026-08-01 (protest by 2027-01-28),
       unliquidated (declare, no deadline) */
    "ABC-0000002-8,1,1,8471300100,10000.00,0.00,01,12-345678900,06/02/2025,10/01/2026,Liquidated,,,Accepted,N,,"
    "06/05/2025,CN\n"
    "ABC-0000002-8,1,2,9903.01.25,0.00,1000.00,01,12-345678900,06/02/2025,10/01/2026,Liquidated,,,Accepted,N,,"
    "06/05/2025,CN\n"
    "ABC-0000003-6,1,1,8471300100,10000.00,0.00,01,12-345678900,06/02/2025,08/01/2026,Liquidated,,,Accepted,N,,"
    "06/05/2025,CN\n"
    "ABC-0000003-6,1,2,9903.01.25,0.00,1000.00,01,12-345678900,06/02/2025,08/01/2026,Liquidated,,,Accepted,N,,"
    "06/05/2025,CN\n"
    "ABC-0000001-0,1,1,8471300100,10000.00,0.00,01,12-345678900,06/02/2025,,,,,Accepted,N,,06/05/2025,CN\n"
    "ABC-0000001-0,1,2,9903.01.25,0.00,1000.00,01,12-345678900,06/02/2025,,,,,Accepted,N,,06/05/2025,CN\n"
    /* importer B: an open protest (withdraw, declare by 2026-12-19), no IEEPA duty (nothing to do),
       liquidated 2026-03-02 (court by 2028-03-02, or 2028-08-29 counted from final liquidation) */
    "ABC-0000005-1,1,1,8471300100,10000.00,0.00,01,98-765432100,06/02/2025,10/01/2026,Liquidated,2704-26-100001,"
    "Open,Accepted,N,,06/05/2025,CN\n"
    "ABC-0000005-1,1,2,9903.01.25,0.00,1000.00,01,98-765432100,06/02/2025,10/01/2026,Liquidated,2704-26-100001,"
    "Open,Accepted,N,,06/05/2025,CN\n"
    "ABC-0000007-7,1,1,8471300100,10000.00,250.00,01,98-765432100,06/02/2025,,,,,Accepted,N,,06/05/2025,CN\n"
    "ABC-0000004-4,1,1,8471300100,10000.00,0.00,01,98-765432100,06/02/2025,03/02/2026,Liquidated,,,Accepted,N,,"
    "06/05/2025,CN\n"
    "ABC-0000004-4,1,2,9903.01.25,0.00,1000.00,01,98-765432100,06/02/2025,03/02/2026,Liquidated,,,Accepted,N,,"
    "06/05/2025,CN\n";

static bool add_to_plan(const cape_entry *entry, void *user) {
    return cape_plan_add((cape_plan *)user, entry, NULL) != CAPE_STATUS_OK;
}

static void test_next_actions(void) {
    static const struct {
        const char *number, *action, *act_by, *refund_due_by;
    } want[] = {
        {"ABC-0000002-8", "declare", "2026-12-19", "2027-01-29"},
        {"ABC-0000003-6", "protest", "2027-01-28", NULL},
        {"ABC-0000001-0", "declare", NULL, "2027-02-14"},
        {"ABC-0000005-1", "withdraw_protest_then_declare", "2026-12-19", NULL},
        {"ABC-0000007-7", "none", NULL, NULL},
        {"ABC-0000004-4", "court_action", "2028-03-02", NULL},
    };
    cape_tables *t = NULL;
    cape_assess_options *o = NULL;
    cape_assessment *a = NULL, *run = NULL;
    cape_consolidation *c = NULL;
    cape_plan *plan = NULL;
    cape_entry_result e;
    cape_refund r;
    cape_run_options ro;
    cape_error *err = NULL;
    char *json = NULL, *week = NULL, *streamed = NULL;
    const char *first, *second;
    const unsigned char *tail;
    int untouched = 1;
    size_t i, n = sizeof want / sizeof want[0], found = 0;

    CHECK_STATUS(cape_tables_embedded(&t, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_options_new("2026-12-01", &o, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_options_assume_last_rate(o, t, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_buffer((const uint8_t *)ACTIONS_CSV, strlen(ACTIONS_CSV), "actions.csv", t, o, &a, &err),
                 CAPE_STATUS_OK);
    if (a == NULL) {
        fprintf(stderr, "actions: %s\n", cape_error_message(err));
        cape_error_free(err);
        err = NULL;
        cape_assess_options_free(o);
        cape_tables_free(t);
        return;
    }
    CHECK(cape_assessment_entry_count(a) == n);
    for (i = 0; i < n && i < cape_assessment_entry_count(a); i++) {
        SIZED(e);
        CHECK_STATUS(cape_assessment_entry(a, i, &e, NULL), CAPE_STATUS_OK);
        CHECK_STR(e.entry_number, want[i].number);
        CHECK_STR(e.next_action, want[i].action);
        CHECK(same_str(e.act_by, want[i].act_by));
        CHECK(same_str(e.refund_due_by, want[i].refund_due_by));
        CHECK(e.next_action_note != NULL && strlen(e.next_action_note) > 0);
    }
    SIZED(e);
    CHECK_STATUS(cape_assessment_entry(a, 0, &e, NULL), CAPE_STATUS_OK);
    CHECK_STR(e.next_action_note, "Declare in CAPE by 2026-12-19 (18 days left), the last filing day after liquidation");
    SIZED(e);
    CHECK_STATUS(cape_assessment_entry(a, 1, &e, NULL), CAPE_STATUS_OK);
    CHECK(strstr(e.next_action_note, "protest under 19 USC 1514 by 2027-01-28 (58 days left)") != NULL);
    /* A caller built against the header before these fields: filled up to finding_count, the rest untouched. */
    memset(&e, 0xAB, sizeof e);
    e.struct_size = (uint32_t)(offsetof(cape_entry_result, finding_count) + sizeof e.finding_count);
    CHECK_STATUS(cape_assessment_entry(a, 0, &e, NULL), CAPE_STATUS_OK);
    CHECK(e.struct_size == offsetof(cape_entry_result, finding_count) + sizeof e.finding_count);
    CHECK_STR(e.entry_number, "ABC-0000002-8");
    tail = (const unsigned char *)&e + e.struct_size;
    for (i = 0; i < sizeof e - e.struct_size; i++) untouched &= tail[i] == 0xAB;
    CHECK(untouched);

    /* Each consolidated refund is due 30 days after its (projected) (re)liquidation. */
    CHECK_STATUS(cape_consolidate(a, NULL, &c, NULL), CAPE_STATUS_OK);
    for (i = 0; i < cape_consolidation_refund_count(c); i++) {
        SIZED(r);
        CHECK_STATUS(cape_consolidation_refund(c, i, &r, NULL), CAPE_STATUS_OK);
        if (strcmp(r.recipient, "12-345678900") != 0) continue;
        if (strcmp(r.liquidation_date, "2026-12-30") == 0) {
            CHECK_STR(r.refund_due_by, "2027-01-29");
            found++;
        } else if (strcmp(r.liquidation_date, "2027-01-15") == 0) {
            CHECK_STR(r.refund_due_by, "2027-02-14");
            found++;
        }
    }
    CHECK(found == 2);
    cape_consolidation_free(c);

    /* The plan: 5 of the 6 entries have an action due (not the one without IEEPA duty), 1,000.00 each. */
    CHECK_STATUS(cape_assessment_plan_json(a, NULL, -1, &json, NULL), CAPE_STATUS_OK);
    CHECK(json != NULL && strstr(json, "\"as_of\": \"2026-12-01\"") != NULL);
    CHECK(json != NULL && strstr(json, "\"by\": \"importer\"") != NULL);
    CHECK(json != NULL && strstr(json, "\"within_days\": null") != NULL);
    CHECK(json != NULL && strstr(json, "\"entries_seen\": 6") != NULL && strstr(json, "\"items\": 5") != NULL);
    CHECK(json != NULL && strstr(json, "\"ieepa_duty\": \"5000.00\"") != NULL);
    /* importer A's group first: both first deadlines are 2026-12-19 and A's entry comes first in the input */
    first = json != NULL ? strstr(json, "\"key\": \"12-345678900\"") : NULL;
    second = json != NULL ? strstr(json, "\"key\": \"98-765432100\"") : NULL;
    CHECK(first != NULL && second != NULL && first < second);
    /* by week, within 30 days: the two deadlines of 2026-12-19 (a Saturday: the week of Monday 2026-12-14) */
    CHECK_STATUS(cape_assessment_plan_json(a, "week", 30, &week, NULL), CAPE_STATUS_OK);
    CHECK(week != NULL && strstr(week, "\"items\": 2") != NULL && strstr(week, "\"within_days\": 30") != NULL);
    CHECK(week != NULL && strstr(week, "\"key\": \"week of 2026-12-14\"") != NULL);
    CHECK(week != NULL && strstr(week, "\"ieepa_duty\": \"2000.00\"") != NULL && strstr(week, "court_action") == NULL);
    CHECK(week != NULL && strstr(week, "\"days_left\": 18") != NULL);

    /* The same plan from a stream, entry by entry: the same bytes. */
    memset(&ro, 0, sizeof ro);
    ro.struct_size = (uint32_t)sizeof ro;
    CHECK_STATUS(cape_plan_new("2026-12-01", "importer", -1, &plan, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_run_buffer((const uint8_t *)ACTIONS_CSV, strlen(ACTIONS_CSV), "actions.csv", t, o, &ro,
                                 add_to_plan, plan, &run, NULL),
                 CAPE_STATUS_OK);
    CHECK(cape_plan_item_count(plan) == 5);
    CHECK_STATUS(cape_plan_json(plan, &streamed, NULL), CAPE_STATUS_OK);
    CHECK(json != NULL && streamed != NULL && strcmp(json, streamed) == 0);
    cape_string_free(streamed);
    streamed = NULL;
    /* A streaming run keeps no entry: its own plan is empty. */
    CHECK_STATUS(cape_assessment_plan_json(run, NULL, -1, &streamed, NULL), CAPE_STATUS_OK);
    CHECK(streamed != NULL && strstr(streamed, "\"items\": 0") != NULL);
    cape_string_free(streamed);
    cape_assessment_free(run);
    cape_string_free(json);
    cape_string_free(week);

    /* Bad arguments. */
    json = NULL;
    CHECK_STATUS(cape_assessment_plan_json(a, "month", -1, &json, &err), CAPE_STATUS_INVALID_VALUE);
    CHECK(json == NULL && err != NULL && strstr(cape_error_message(err), "month") != NULL);
    cape_error_free(err);
    err = NULL;
    CHECK_STATUS(cape_assessment_plan_json(a, NULL, (int64_t)1 << 40, &json, NULL), CAPE_STATUS_OUT_OF_RANGE);
    CHECK_STATUS(cape_assessment_plan_json(NULL, NULL, -1, &json, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_assessment_plan_json(a, NULL, -1, NULL, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_assessment_plan_json(a, "\xff", -1, &json, NULL), CAPE_STATUS_INVALID_UTF8);
    CHECK(json == NULL);
    CHECK_STATUS(cape_plan_add(plan, NULL, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_plan_add(NULL, NULL, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_plan_json(NULL, &json, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_plan_json(plan, NULL, NULL), CAPE_STATUS_NULL_ARGUMENT);
    cape_plan_free(plan);
    plan = NULL;
    CHECK_STATUS(cape_plan_new("2026-13-01", NULL, -1, &plan, NULL), CAPE_STATUS_INVALID_DATE);
    CHECK_STATUS(cape_plan_new("2026-12-01", "day", -1, &plan, NULL), CAPE_STATUS_INVALID_VALUE);
    CHECK_STATUS(cape_plan_new("2026-12-01", NULL, (int64_t)1 << 33, &plan, NULL), CAPE_STATUS_OUT_OF_RANGE);
    CHECK_STATUS(cape_plan_new(NULL, NULL, -1, &plan, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_plan_new("2026-12-01", NULL, -1, NULL, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK(plan == NULL);
    CHECK(cape_plan_item_count(NULL) == 0);
    cape_plan_free(NULL);
    cape_assessment_free(a);
    a = NULL;

    /* The court accrual is a parameter: counted from final liquidation, 2026-03-02 + 180 = 2026-08-29, two
       years on 2028-08-29. */
    CHECK_STATUS(cape_assess_options_set_court_accrual(o, CAPE_COURT_ACCRUAL_FINAL_LIQUIDATION, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_buffer((const uint8_t *)ACTIONS_CSV, strlen(ACTIONS_CSV), "actions.csv", t, o, &a, NULL),
                 CAPE_STATUS_OK);
    SIZED(e);
    CHECK_STATUS(cape_assessment_entry(a, 5, &e, NULL), CAPE_STATUS_OK);
    CHECK_STR(e.next_action, "court_action");
    CHECK_STR(e.act_by, "2028-08-29");
    CHECK(e.next_action_note != NULL && strstr(e.next_action_note, "became final") != NULL);
    cape_assessment_free(a);
    CHECK_STATUS(cape_assess_options_set_court_accrual(o, CAPE_COURT_ACCRUAL_LIQUIDATION_DATE, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_options_set_court_accrual(o, 2, &err), CAPE_STATUS_OUT_OF_RANGE);
    CHECK(err != NULL && strstr(cape_error_message(err), "CAPE_COURT_ACCRUAL_FINAL_LIQUIDATION") != NULL);
    cape_error_free(err);
    err = NULL;
    CHECK_STATUS(cape_assess_options_set_court_accrual(NULL, 0, NULL), CAPE_STATUS_NULL_ARGUMENT);
    cape_assess_options_free(o);
    cape_tables_free(t);
}

/* The schedule options and extra closures, with the dates of cape-core/tests/cli_options.rs (as of 2026-04-19):
 * ABC-1234567-6 liquidated 2026-01-30 (last filing day 2026-04-19); B76-0158522-0 unliquidated, entered
 * 2025-09-02, paid on a periodic monthly statement (deposit: the 15th working day of October 2025). */
static const char SCHEDULE_CSV[] =
    "Entry Summary Number,Entry Summary Line Number,Tariff Ordinal Number,HTS Number - Full,"
    "Line Tariff Goods Value Amount,Line Tariff Duty Amount,Entry Type Code,Importer Number,Entry Date,"
    "Country of Origin Code,Liquidation Date,Liquidation Status,Column 1 Current Primary Duty Rate,Payment Date,"
    "Payment Type Code,ACH Refund Enrolled\n"
    "ABC-1234567-6,1,1,99030124,0,1000.00,01,12-345678900,06/02/2025,CN,01/30/2026,Liquidated,,06/02/2025,1,Y\n"
    "ABC-1234567-6,1,2,8471300100,5000.00,200.00,01,12-345678900,06/02/2025,CN,01/30/2026,Liquidated,4%,"
    "06/02/2025,1,Y\n"
    "B76-0158522-0,1,1,99030124,0,300.00,01,98-765432100,09/02/2025,CN,,,,,7,Y\n"
    "B76-0158522-0,1,2,8471300100,3000.00,0.00,01,98-765432100,09/02/2025,CN,,,0%,,7,Y\n";

/* Assesses SCHEDULE_CSV and checks entry `index`'s status, projected (re)liquidation (NULL: none) and deposit
 * date. */
static void check_scheduled(const cape_tables *t, const cape_assess_options *o, size_t index,
                            cape_claim_status status, const char *projected, const char *deposit) {
    cape_assessment *a = NULL;
    cape_entry_result e;
    cape_error *err = NULL;
    SIZED(e);
    CHECK_STATUS(cape_assess_buffer((const uint8_t *)SCHEDULE_CSV, strlen(SCHEDULE_CSV), "schedule.csv", t, o, &a,
                                    &err),
                 CAPE_STATUS_OK);
    if (a == NULL) {
        fprintf(stderr, "schedule: %s\n", cape_error_message(err));
        cape_error_free(err);
        return;
    }
    CHECK(cape_assessment_entry_count(a) == 2);
    CHECK_STATUS(cape_assessment_entry(a, index, &e, NULL), CAPE_STATUS_OK);
    CHECK(e.status == status);
    if (projected == NULL) {
        CHECK(e.projected_liquidation_date == NULL);
    } else {
        CHECK_STR(e.projected_liquidation_date, projected);
    }
    CHECK_STR(e.deposit_date, deposit);
    cape_assessment_free(a);
}

static void test_schedule_options(void) {
    cape_tables *t = NULL, *closed = NULL, *again = NULL;
    cape_assess_options *o = NULL;
    cape_error *err = NULL;
    static const char closures[] = "# extra federal closures\n"
                                   "2025-10-06   # a national day of mourning\n\n10/07/2025\n";
    const cape_claim_status ELIGIBLE = CAPE_CLAIM_STATUS_ELIGIBLE, INELIGIBLE = CAPE_CLAIM_STATUS_INELIGIBLE;

    CHECK_STATUS(cape_tables_embedded(&t, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_options_new("2026-04-19", &o, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_assess_options_assume_last_rate(o, t, NULL), CAPE_STATUS_OK);
    /* Defaults: liquidated min(04-19 + 45, 01-30 + 90) = 04-30; unliquidated 04-19 + 45 = 06-03. October 2025
     * (Columbus Day Oct 13): working days 1 2 3 6 7 8 9 10 14 15 16 17 20 21 22, the 15th is Oct 22. */
    check_scheduled(t, o, 0, ELIGIBLE, "2026-04-30", "2025-06-02");
    check_scheduled(t, o, 1, ELIGIBLE, "2026-06-03", "2025-10-22");
    /* Acceptance lag 10: unliquidated 04-29 + 45 = 06-13; the liquidated entry, validated on 04-29 after its
     * last filing day 04-19, is ineligible with no projection. */
    CHECK_STATUS(cape_assess_options_set_acceptance_lag(o, 10, NULL), CAPE_STATUS_OK);
    check_scheduled(t, o, 1, ELIGIBLE, "2026-06-13", "2025-10-22");
    check_scheduled(t, o, 0, INELIGIBLE, NULL, "2025-06-02");
    CHECK_STATUS(cape_assess_options_set_acceptance_lag(o, 0, NULL), CAPE_STATUS_OK);
    /* Offset 30: unliquidated 05-19; liquidated min(05-19, 04-30) = 04-30. Offset 5: both 04-24. */
    CHECK_STATUS(cape_assess_options_set_liquidation_offset(o, 30, NULL), CAPE_STATUS_OK);
    check_scheduled(t, o, 0, ELIGIBLE, "2026-04-30", "2025-06-02");
    check_scheduled(t, o, 1, ELIGIBLE, "2026-05-19", "2025-10-22");
    CHECK_STATUS(cape_assess_options_set_liquidation_offset(o, 5, NULL), CAPE_STATUS_OK);
    check_scheduled(t, o, 0, ELIGIBLE, "2026-04-24", "2025-06-02");
    CHECK_STATUS(cape_assess_options_set_liquidation_offset(o, 45, NULL), CAPE_STATUS_OK);
    /* Window 120: liquidated min(06-03, 01-30 + 120 = 05-30) = 05-30. */
    CHECK_STATUS(cape_assess_options_set_reliquidation_window(o, 120, NULL), CAPE_STATUS_OK);
    check_scheduled(t, o, 0, ELIGIBLE, "2026-05-30", "2025-06-02");
    check_scheduled(t, o, 1, ELIGIBLE, "2026-06-03", "2025-10-22");
    CHECK_STATUS(cape_assess_options_set_reliquidation_window(o, 90, NULL), CAPE_STATUS_OK);
    /* Closed on Oct 6 and 7 as well: 1 2 3 8 9 10 14 15 16 17 20 21 22 23 24, the 15th is Oct 24. */
    CHECK_STATUS(cape_tables_replace_buffer(t, CAPE_TABLE_KIND_CLOSURES, (const uint8_t *)closures, strlen(closures),
                                            "closures.txt", &closed, NULL),
                 CAPE_STATUS_OK);
    check_scheduled(closed, o, 1, ELIGIBLE, "2026-06-03", "2025-10-24");
    check_scheduled(t, o, 1, ELIGIBLE, "2026-06-03", "2025-10-22"); /* the base tables are unchanged */
    CHECK_STATUS(cape_tables_replace_buffer(t, CAPE_TABLE_KIND_CLOSURES, (const uint8_t *)"2025-10-06\n13/45/2025\n",
                                            22, "bad.txt", &again, &err),
                 CAPE_STATUS_INVALID_FORMAT);
    CHECK(again == NULL);
    CHECK(err != NULL && strstr(cape_error_message(err), "bad.txt") != NULL &&
          strstr(cape_error_message(err), "line 2") != NULL);
    cape_error_free(err);
    err = NULL;
    CHECK_STATUS(cape_tables_replace_path(t, CAPE_TABLE_KIND_CLOSURES, "/nonexistent/closures.txt", &again, NULL),
                 CAPE_STATUS_IO);
    CHECK_STATUS(cape_tables_replace_buffer(t, 5, (const uint8_t *)closures, strlen(closures), NULL, &again, NULL),
                 CAPE_STATUS_OUT_OF_RANGE);
    CHECK_STATUS(cape_assess_options_set_acceptance_lag(NULL, 1, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_assess_options_set_liquidation_offset(NULL, 1, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_assess_options_set_reliquidation_window(NULL, 1, NULL), CAPE_STATUS_NULL_ARGUMENT);
    cape_tables_free(closed);
    cape_tables_free(t);
    cape_assess_options_free(o);
}

/* A broker workbook's claim details (tests/data/bad/results_broker_headers.{csv,xlsx}) read by their alternate
 * headers, and a file with its own headers read with a column map. */
static void test_results_options(void) {
    static const char own[] = "Ref,Claim,Outcome,Message\nABC12345676,C9,Entry Summary Updated,\n"
                              "B76-0158522-0,C9,Failed,INVALID HTS\n";
    const char *files[2] = {"results_broker_headers.csv", "results_broker_headers.xlsx"};
    cape_results_options *ro = NULL;
    cape_results *res = NULL;
    cape_result_row row;
    cape_error *err = NULL;
    char path[1200];
    size_t i;
    SIZED(row);

    CHECK_STATUS(cape_results_options_new(&ro, NULL), CAPE_STATUS_OK);
    for (i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/../../tests/data/bad/%s", data_dir, files[i]);
        /* NULL options, then the options' defaults: the alternates are read. */
        CHECK_STATUS(cape_results_path_with(path, i == 0 ? NULL : ro, &res, &err), CAPE_STATUS_OK);
        if (res == NULL) {
            fprintf(stderr, "%s: %s\n", path, cape_error_message(err));
            cape_error_free(err);
            err = NULL;
            continue;
        }
        CHECK(cape_results_row_count(res) == 3);
        CHECK_STATUS(cape_results_row(res, 0, &row, NULL), CAPE_STATUS_OK);
        CHECK(row.row == 2);
        CHECK_STR(row.entry_number, "VSU-0828889-3");
        CHECK_STR(row.claim_number, "C000777");
        CHECK_STR(row.status, "entry_summary_updated");
        CHECK(row.error_kind == NULL);
        CHECK_STATUS(cape_results_row(res, 1, &row, NULL), CAPE_STATUS_OK);
        CHECK_STR(row.entry_number, "VSU-0828893-5");
        CHECK_STR(row.status, "failed");
        CHECK_STR(row.error_kind, "protest_on_entry");
        CHECK_STATUS(cape_results_row(res, 2, &row, NULL), CAPE_STATUS_OK);
        CHECK(row.entry_number == NULL); /* check digit 4, expected 3 */
        CHECK_STR(row.entry_text, "VSU-0828889-4");
        cape_results_free(res);
        res = NULL;
    }
    /* The workbook's sheet by name; a sheet it does not have. */
    CHECK_STATUS(cape_results_options_set_sheet(ro, "Claim Details", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_results_path_with(path, ro, &res, NULL), CAPE_STATUS_OK);
    CHECK(res != NULL && cape_results_row_count(res) == 3);
    cape_results_free(res);
    res = NULL;
    CHECK_STATUS(cape_results_options_set_sheet(ro, "Nope", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_results_path_with(path, ro, &res, &err), CAPE_STATUS_INVALID_FORMAT);
    CHECK(res == NULL && err != NULL && strstr(cape_error_message(err), "Nope") != NULL);
    cape_error_free(err);
    err = NULL;
    CHECK_STATUS(cape_results_options_set_sheet(ro, NULL, NULL), CAPE_STATUS_OK);

    /* Own headers: not found without a map, read with one. */
    CHECK_STATUS(cape_results_buffer_with((const uint8_t *)own, strlen(own), "own.csv", NULL, &res, NULL),
                 CAPE_STATUS_MISSING_COLUMN);
    CHECK_STATUS(cape_results_options_set_column(ro, "ENTRY_NUMBER", "Ref", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_results_options_set_column(ro, "claim_number", "Claim", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_results_options_set_column(ro, "Status", "Outcome", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_results_options_set_column(ro, "ERROR DESCRIPTION", "message", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_results_buffer_with((const uint8_t *)own, strlen(own), "own.csv", ro, &res, &err),
                 CAPE_STATUS_OK);
    if (res != NULL) {
        CHECK(cape_results_row_count(res) == 2);
        CHECK_STATUS(cape_results_row(res, 0, &row, NULL), CAPE_STATUS_OK);
        CHECK_STR(row.entry_number, "ABC-1234567-6");
        CHECK_STR(row.claim_number, "C9");
        CHECK_STR(row.status, "entry_summary_updated");
        CHECK_STATUS(cape_results_row(res, 1, &row, NULL), CAPE_STATUS_OK);
        CHECK_STR(row.entry_number, "B76-0158522-0");
        CHECK_STR(row.error_kind, "invalid_hts");
        cape_results_free(res);
        res = NULL;
    } else {
        fprintf(stderr, "own.csv: %s\n", cape_error_message(err));
        cape_error_free(err);
        err = NULL;
    }
    /* A row cap below the file's rows; a mapped header the file lacks; a key that is no result column. */
    CHECK_STATUS(cape_results_options_set_max_rows(ro, 1, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_results_buffer_with((const uint8_t *)own, strlen(own), NULL, ro, &res, NULL),
                 CAPE_STATUS_INVALID_FORMAT);
    CHECK_STATUS(cape_results_options_set_max_rows(ro, 1000, NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_results_options_set_column(ro, "ENTRY_NUMBER", "Entry Ref", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_results_buffer_with((const uint8_t *)own, strlen(own), NULL, ro, &res, &err),
                 CAPE_STATUS_MISSING_COLUMN);
    CHECK(err != NULL && strstr(cape_error_message(err), "Entry Ref") != NULL);
    cape_error_free(err);
    err = NULL;
    CHECK_STATUS(cape_results_options_set_column(ro, "ENTRY_NUMBER", "Ref", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_results_options_set_column(ro, "CLAIM", "Claim", NULL), CAPE_STATUS_OK);
    CHECK_STATUS(cape_results_buffer_with((const uint8_t *)own, strlen(own), NULL, ro, &res, NULL),
                 CAPE_STATUS_INVALID_VALUE);
    CHECK(res == NULL);
    /* Misuse. */
    CHECK_STATUS(cape_results_options_new(NULL, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_results_options_set_column(NULL, "STATUS", "x", NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_results_options_set_column(ro, NULL, "x", NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_results_options_set_column(ro, "STATUS", NULL, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_results_options_set_column(ro, "STATUS", "\xff", NULL), CAPE_STATUS_INVALID_UTF8);
    CHECK_STATUS(cape_results_options_set_sheet(NULL, "x", NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_results_options_set_max_rows(NULL, 1, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_results_path_with(NULL, ro, &res, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_results_path_with("x", ro, NULL, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_results_buffer_with(NULL, 1, NULL, ro, &res, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_results_buffer_with((const uint8_t *)own, strlen(own), NULL, ro, NULL, NULL),
                 CAPE_STATUS_NULL_ARGUMENT);
    cape_results_options_free(ro);
    cape_results_options_free(NULL);
}

static void test_growth_policy(void) {
    cape_es003 *report = NULL;
    cape_ingest_summary s;
    struct {
        cape_ingest_summary s;
        unsigned char tail[16];
    } big;
    size_t i;
    int tail_untouched = 1;

    CHECK(cape_version_number() == CAPE_VERSION_NUMBER);
    CHECK_STATUS(cape_es003_open_buffer((const uint8_t *)CSV, strlen(CSV), "inline.csv", &report, NULL), CAPE_STATUS_OK);
    /* An older header's struct that ended after rows_used: those fields are written, nothing beyond. */
    memset(&s, 0xAB, sizeof s);
    s.struct_size = (uint32_t)(offsetof(cape_ingest_summary, rows_used) + sizeof s.rows_used);
    CHECK_STATUS(cape_es003_summary(report, &s, NULL), CAPE_STATUS_OK);
    CHECK(s.struct_size == offsetof(cape_ingest_summary, rows_used) + sizeof s.rows_used);
    CHECK(s.rows_read == 5 && s.rows_used == 4);
    CHECK(s.rows_rejected == 0xABABABABABABABABULL && s.infos == 0xABABABABABABABABULL);
    /* A newer header's larger struct: the fields this library has, and struct_size says how far. */
    memset(&big, 0xCD, sizeof big);
    big.s.struct_size = (uint32_t)sizeof big;
    CHECK_STATUS(cape_es003_summary(report, &big.s, NULL), CAPE_STATUS_OK);
    CHECK(big.s.struct_size == sizeof(cape_ingest_summary));
    CHECK(big.s.rows_read == 5 && big.s.rows_rejected == 1 && big.s.entries == 2);
    for (i = 0; i < sizeof big.tail; i++) tail_untouched &= big.tail[i] == 0xCD;
    CHECK(tail_untouched);
    /* Not set: refused, nothing written. */
    memset(&s, 0, sizeof s);
    CHECK_STATUS(cape_es003_summary(report, &s, NULL), CAPE_STATUS_BUFFER_TOO_SMALL);
    CHECK(s.rows_read == 0);
    s.struct_size = 3;
    CHECK_STATUS(cape_es003_summary(report, &s, NULL), CAPE_STATUS_BUFFER_TOO_SMALL);
    cape_es003_free(report);
}

int main(int argc, char **argv) {
    printf("libcape %s (header %s)\n", cape_version(), CAPE_VERSION_STRING);
    test_version();
    test_status_names();
    test_error_slot();
    test_bool_types();
    test_check_digits();
    test_entry_numbers();
    test_es003_buffer();
    test_es003_bad_inputs();
    test_interest();
    test_strict_money();
    test_builder();
    test_builder_columns();
    test_options();
    test_results();
    test_misuse();
    test_growth_policy();
    test_next_actions();
    test_schedule_options();
    if (argc >= 2) {
        const char *slash = strrchr(argv[1], '/');
        if (slash != NULL && (size_t)(slash - argv[1]) < sizeof data_dir) {
            memcpy(data_dir, argv[1], (size_t)(slash - argv[1]));
            data_dir[slash - argv[1]] = '\0';
        }
        test_es003_sample(argv[1]);
        test_hostile_corpus();
        test_tables();
        test_assessment(argv[1]);
        test_threads(argv[1]);
        test_streaming(argv[1]);
        test_refund_entries(argv[1]);
        test_results_options();
    } else {
        printf("no sample path given: skipping the sample ES-003 test\n");
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
