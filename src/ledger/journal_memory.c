/* SPDX-License-Identifier: MIT */
/*
 * In-memory journal and snapshot storage with failure injection: used by the
 * tests, the crash simulation and the fuzzer, and a model for RAM- or
 * flash-backed storage in firmware. Freestanding.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/journal.h"

/* Counts an injected failure down; true when this call must fail. */
static bool countdown_fires(uint32_t *countdown)
{
    if (*countdown == 0) {
        return false;
    }
    *countdown -= 1;
    return *countdown == 0;
}

static int memory_read(void *context, uint64_t offset, uint8_t *buffer, size_t length)
{
    prepay_journal_memory_t *m = context;
    if (countdown_fires(&m->fail_read_countdown)) {
        return PREPAY_E_JOURNAL_IO;
    }
    if (buffer == NULL || offset > m->length || length > m->length - (size_t)offset) {
        return PREPAY_E_JOURNAL_IO;
    }
    if (length > 0) {
        memcpy(buffer, m->buffer + (size_t)offset, length);
    }
    return PREPAY_OK;
}

static int memory_append(void *context, const uint8_t *data, size_t length)
{
    prepay_journal_memory_t *m = context;
    m->appends++;
    size_t room = m->capacity - m->length;
    if (countdown_fires(&m->fail_append_countdown)) {
        size_t keep = m->failed_append_keeps < length ? m->failed_append_keeps : length;
        keep = keep < room ? keep : room;
        if (keep > 0) {
            memcpy(m->buffer + m->length, data, keep);
            m->length += keep;
        }
        return PREPAY_E_JOURNAL_IO;
    }
    if (length > room) {
        return PREPAY_E_JOURNAL_FULL;
    }
    if (length > 0) {
        memcpy(m->buffer + m->length, data, length);
        m->length += length;
    }
    return PREPAY_OK;
}

static int memory_sync(void *context)
{
    prepay_journal_memory_t *m = context;
    m->syncs++;
    if (countdown_fires(&m->fail_sync_countdown)) {
        return PREPAY_E_JOURNAL_IO;
    }
    m->synced = m->length;
    return PREPAY_OK;
}

static int memory_truncate(void *context, uint64_t length)
{
    prepay_journal_memory_t *m = context;
    if (length > m->length) {
        return PREPAY_E_JOURNAL_IO;
    }
    m->length = (size_t)length;
    if (m->synced > m->length) {
        m->synced = m->length;
    }
    return PREPAY_OK;
}

static int memory_size(void *context, uint64_t *size)
{
    prepay_journal_memory_t *m = context;
    if (size == NULL) {
        return PREPAY_E_JOURNAL_IO;
    }
    *size = m->length;
    return PREPAY_OK;
}

int prepay_journal_memory_io(prepay_journal_memory_t *memory, uint8_t *buffer, size_t capacity,
                             prepay_journal_io_t *io)
{
    if (memory == NULL || buffer == NULL || io == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(memory, 0, sizeof *memory);
    memory->buffer = buffer;
    memory->capacity = capacity;
    io->context = memory;
    io->read = memory_read;
    io->append = memory_append;
    io->sync = memory_sync;
    io->truncate = memory_truncate;
    io->size = memory_size;
    io->writeback = NULL;
    return PREPAY_OK;
}

void prepay_journal_memory_crash(prepay_journal_memory_t *memory, size_t keep_unsynced)
{
    if (memory == NULL) {
        return;
    }
    size_t unsynced = memory->length - memory->synced;
    memory->length = memory->synced + (keep_unsynced < unsynced ? keep_unsynced : unsynced);
    memory->synced = memory->length;
}

/* ---- snapshots ---------------------------------------------------------- */

static int snapshot_read(void *context, uint64_t offset, uint8_t *buffer, size_t length)
{
    prepay_snapshot_memory_t *m = context;
    size_t have = m->length[m->published];
    if (buffer == NULL || offset > have || length > have - (size_t)offset) {
        return PREPAY_E_JOURNAL_IO;
    }
    if (length > 0) {
        memcpy(buffer, m->slot[m->published] + (size_t)offset, length);
    }
    return PREPAY_OK;
}

static int snapshot_size(void *context, uint64_t *size)
{
    prepay_snapshot_memory_t *m = context;
    if (size == NULL) {
        return PREPAY_E_JOURNAL_IO;
    }
    *size = m->length[m->published];
    return PREPAY_OK;
}

static int snapshot_begin(void *context)
{
    prepay_snapshot_memory_t *m = context;
    m->writing = true;
    m->length[1u - m->published] = 0;
    return PREPAY_OK;
}

static int snapshot_write(void *context, const uint8_t *data, size_t length)
{
    prepay_snapshot_memory_t *m = context;
    unsigned scratch = 1u - m->published;
    if (!m->writing || countdown_fires(&m->fail_write_countdown)) {
        return PREPAY_E_JOURNAL_IO;
    }
    if (length > m->capacity - m->length[scratch]) {
        return PREPAY_E_JOURNAL_FULL;
    }
    if (length > 0) {
        memcpy(m->slot[scratch] + m->length[scratch], data, length);
        m->length[scratch] += length;
    }
    return PREPAY_OK;
}

static int snapshot_publish(void *context)
{
    prepay_snapshot_memory_t *m = context;
    if (!m->writing) {
        return PREPAY_E_JOURNAL_IO;
    }
    m->writing = false;
    m->published = (uint8_t)(1u - m->published);
    return PREPAY_OK;
}

static int snapshot_abort(void *context)
{
    prepay_snapshot_memory_t *m = context;
    m->writing = false;
    m->length[1u - m->published] = 0;
    return PREPAY_OK;
}

int prepay_snapshot_memory_io(prepay_snapshot_memory_t *memory, uint8_t *slot0, uint8_t *slot1, size_t capacity,
                              prepay_snapshot_io_t *io)
{
    if (memory == NULL || slot0 == NULL || slot1 == NULL || io == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(memory, 0, sizeof *memory);
    memory->slot[0] = slot0;
    memory->slot[1] = slot1;
    memory->capacity = capacity;
    io->context = memory;
    io->read = snapshot_read;
    io->size = snapshot_size;
    io->begin = snapshot_begin;
    io->write = snapshot_write;
    io->publish = snapshot_publish;
    io->abort = snapshot_abort;
    return PREPAY_OK;
}
