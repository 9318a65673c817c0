/* SPDX-License-Identifier: MIT */
/*
 * Test support: reading known-answer vector files and hex strings.
 *
 * Vector files (tests/vectors/ *.txt) are records of `key = value` lines
 * opened by a `[kind]` line; `#` starts a comment line. Each test program
 * receives the vectors directory as argv[1].
 */
#ifndef PREPAY_TEST_SUPPORT_H
#define PREPAY_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#define TV_MAX_FIELDS 32
#define TV_MAX_KEY 48
#define TV_MAX_VALUE 1024

typedef struct tv_field {
    char key[TV_MAX_KEY];
    char value[TV_MAX_VALUE];
} tv_field_t;

typedef struct tv_record {
    char kind[TV_MAX_KEY]; /* the text between [ and ] */
    int line;              /* line of the [kind] header */
    size_t field_count;
    tv_field_t fields[TV_MAX_FIELDS];
} tv_record_t;

typedef struct tv_file {
    size_t count;
    tv_record_t *records; /* heap, freed by tv_free */
} tv_file_t;

/* Directory of the vector files (argv[1] of the test program). */
void tv_set_dir(const char *dir);
const char *tv_dir(void);

/* Loads tests/vectors/<name>; aborts the test program on I/O or syntax error. */
void tv_load(const char *name, tv_file_t *out);
void tv_free(tv_file_t *file);

/* Value of key in record, or NULL. */
const char *tv_get(const tv_record_t *record, const char *key);
/* Value of key; fails the current test if missing. */
const char *tv_need(const tv_record_t *record, const char *key);

/* Parses hex text ("68 11 0A", "68110A"); returns the byte count or -1. */
int tv_hex(const char *text, uint8_t *out, size_t out_cap);

#endif
