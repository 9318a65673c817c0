/* SPDX-License-Identifier: MIT */
/* Test support: vector files and hex (hosted; used only by tests). */
#include "test_support.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *vectors_dir = "tests/vectors";

void tv_set_dir(const char *dir)
{
    if (dir) {
        vectors_dir = dir;
    }
}

const char *tv_dir(void)
{
    return vectors_dir;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) {
        s[--n] = '\0';
    }
    return s;
}

static void copy_text(char *dst, size_t cap, const char *src, const char *path, int line)
{
    size_t n = strlen(src);
    if (n >= cap) {
        fprintf(stderr, "%s:%d: text too long for the test reader\n", path, line);
        exit(2);
    }
    memcpy(dst, src, n + 1);
}

void tv_load(const char *name, tv_file_t *out)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", vectors_dir, name);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open vector file %s\n", path);
        exit(2);
    }
    out->count = 0;
    out->records = NULL;
    size_t cap = 0;
    char line[4096];
    int line_no = 0;
    tv_record_t *current = NULL;
    while (fgets(line, sizeof line, f)) {
        line_no++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#') {
            continue;
        }
        if (*s == '[') {
            char *end = strchr(s, ']');
            if (!end) {
                fprintf(stderr, "%s:%d: unterminated [kind]\n", path, line_no);
                exit(2);
            }
            *end = '\0';
            if (out->count == cap) {
                cap = cap ? cap * 2 : 16;
                out->records = realloc(out->records, cap * sizeof *out->records);
                if (!out->records) {
                    exit(2);
                }
            }
            current = &out->records[out->count++];
            memset(current, 0, sizeof *current);
            copy_text(current->kind, sizeof current->kind, trim(s + 1), path, line_no);
            current->line = line_no;
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq || !current) {
            fprintf(stderr, "%s:%d: expected 'key = value' inside a record\n", path, line_no);
            exit(2);
        }
        *eq = '\0';
        if (current->field_count == TV_MAX_FIELDS) {
            fprintf(stderr, "%s:%d: too many fields\n", path, line_no);
            exit(2);
        }
        tv_field_t *field = &current->fields[current->field_count++];
        copy_text(field->key, sizeof field->key, trim(s), path, line_no);
        copy_text(field->value, sizeof field->value, trim(eq + 1), path, line_no);
    }
    fclose(f);
}

void tv_free(tv_file_t *file)
{
    free(file->records);
    file->records = NULL;
    file->count = 0;
}

const char *tv_get(const tv_record_t *record, const char *key)
{
    for (size_t i = 0; i < record->field_count; i++) {
        if (strcmp(record->fields[i].key, key) == 0) {
            return record->fields[i].value;
        }
    }
    return NULL;
}

const char *tv_need(const tv_record_t *record, const char *key)
{
    const char *v = tv_get(record, key);
    if (!v) {
        fprintf(stderr, "vector record at line %d lacks key '%s'\n", record->line, key);
        abort();
    }
    return v;
}

int tv_hex(const char *text, uint8_t *out, size_t out_cap)
{
    size_t n = 0;
    int high = -1;
    for (const char *p = text; *p; p++) {
        if (isspace((unsigned char)*p)) {
            continue;
        }
        int v;
        if (*p >= '0' && *p <= '9') {
            v = *p - '0';
        } else if (*p >= 'a' && *p <= 'f') {
            v = *p - 'a' + 10;
        } else if (*p >= 'A' && *p <= 'F') {
            v = *p - 'A' + 10;
        } else {
            return -1;
        }
        if (high < 0) {
            high = v;
        } else {
            if (n == out_cap) {
                return -1;
            }
            out[n++] = (uint8_t)(high << 4 | v);
            high = -1;
        }
    }
    return high < 0 ? (int)n : -1;
}
