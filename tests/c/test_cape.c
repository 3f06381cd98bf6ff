/*
 * test_cape.c -- the C test of libcape. Exercises every function of include/cape.h.
 *
 * Built by `make c-test` as C99 (-Wall -Wextra -Werror -pedantic) against libcape.a, as C++ (g++ -x c++),
 * and against the shared library. Usage: test_cape [path/to/sample_es003.csv]
 * The last line printed is "N passed, M failed"; the exit status is non-zero when M > 0.
 */
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

#define CHECK_STR(got, want) CHECK((got) != NULL && strcmp((got), (want)) == 0)

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
    CHECK_STR(cape_status_name(CAPE_STATUS_PANIC), "CAPE_STATUS_PANIC");
    CHECK(cape_status_name(209) == NULL);
    CHECK(cape_status_name(12345) == NULL);
    CHECK(CAPE_STATUS_OK == 0);
    CHECK(CAPE_STATUS_NULL_ARGUMENT == 100);
    CHECK(CAPE_STATUS_INVALID_ENTRY_NUMBER == 201);
    CHECK(CAPE_STATUS_IO == 300);
    CHECK(CAPE_STATUS_PANIC == 900);
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
    cape_diagnostic d;
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

    CHECK_STATUS(cape_es003_open_path(NULL, &report, NULL), CAPE_STATUS_NULL_ARGUMENT);
    CHECK_STATUS(cape_es003_open_path("/nonexistent", NULL, NULL), CAPE_STATUS_NULL_ARGUMENT);
}

static void test_es003_sample(const char *path) {
    cape_es003 *report = NULL;
    cape_error *err = NULL;
    cape_ingest_summary summary;
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

int main(int argc, char **argv) {
    printf("libcape %s (header %s)\n", cape_version(), CAPE_VERSION_STRING);
    test_version();
    test_status_names();
    test_check_digits();
    test_entry_numbers();
    test_es003_buffer();
    test_es003_bad_inputs();
    if (argc >= 2) {
        test_es003_sample(argv[1]);
    } else {
        printf("no sample path given: skipping the sample ES-003 test\n");
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
