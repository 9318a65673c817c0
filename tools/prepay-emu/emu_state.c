/*
 * prepay-emu: saving and restoring the emulated meters (clean shutdown and
 * restart). The meter struct is plain data apart from the pointers to the
 * shared tariff, policy and account, which are set again after loading.
 * File: "PREPAYEMU1", sizeof(prepay_meter_t), meter count, simulated time,
 * per meter its bytes, counters and incomer carries, per event its done flag, then a 64-bit
 * FNV-1a checksum of everything before it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"

static const char magic[10] = {'P', 'R', 'E', 'P', 'A', 'Y', 'E', 'M', 'U', '1'};

typedef struct writer {
    FILE *f;
    uint64_t hash;
    bool ok;
} writer_t;

static void put(writer_t *w, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        w->hash = (w->hash ^ b[i]) * 0x100000001B3ull;
    }
    w->ok = w->ok && fwrite(p, 1, n, w->f) == n;
}

int emu_state_save(const emu_site_t *site, const char *path, char *err, size_t err_cap)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    writer_t w = {fopen(tmp, "wb"), 0xCBF29CE484222325ull, true};
    if (!w.f) {
        snprintf(err, err_cap, "%s: cannot write", tmp);
        return -1;
    }
    uint32_t size = (uint32_t)sizeof(prepay_meter_t);
    uint64_t count = site->meter_count;
    put(&w, magic, sizeof magic);
    put(&w, &size, sizeof size);
    put(&w, &count, sizeof count);
    put(&w, &site->now, sizeof site->now);
    for (size_t i = 0; i < site->meter_count; i++) {
        const emu_meter_t *m = &site->meters[i];
        put(&w, &m->meter, sizeof m->meter);
        uint64_t counters[6] = {m->requests, m->replies, m->dropped, m->corrupted, (uint64_t)m->carry_ws,
                                (uint64_t)m->fed_mark};
        put(&w, counters, sizeof counters);
    }
    for (size_t i = 0; i < site->event_count; i++) {
        uint8_t done = site->events[i].done;
        put(&w, &done, 1);
    }
    uint64_t hash = w.hash;
    w.ok = w.ok && fwrite(&hash, 1, sizeof hash, w.f) == sizeof hash;
    w.ok = (fflush(w.f) == 0) && w.ok;
    w.ok = (fclose(w.f) == 0) && w.ok;
    if (!w.ok || rename(tmp, path) != 0) {
        snprintf(err, err_cap, "%s: write failed", path);
        remove(tmp);
        return -1;
    }
    return 0;
}

int emu_state_load(emu_site_t *site, const char *path, char *err, size_t err_cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_cap, "%s: cannot open", path);
        return -1;
    }
    fseek(f, 0, SEEK_END);
    long length = ftell(f);
    rewind(f);
    uint8_t *bytes = length > 0 ? malloc((size_t)length) : NULL;
    if (!bytes || fread(bytes, 1, (size_t)length, f) != (size_t)length) {
        fclose(f);
        free(bytes);
        snprintf(err, err_cap, "%s: cannot read", path);
        return -1;
    }
    fclose(f);
    size_t per_meter = sizeof(prepay_meter_t) + 6 * sizeof(uint64_t);
    size_t expected = sizeof magic + 4 + 8 + 8 + site->meter_count * per_meter + site->event_count + 8;
    uint32_t size;
    uint64_t count, stored_hash;
    int rc = -1;
    if ((size_t)length != expected || memcmp(bytes, magic, sizeof magic) != 0) {
        snprintf(err, err_cap, "%s: not a state file of this site and build", path);
        goto done;
    }
    uint64_t hash = 0xCBF29CE484222325ull;
    for (size_t i = 0; i < expected - 8; i++) {
        hash = (hash ^ bytes[i]) * 0x100000001B3ull;
    }
    memcpy(&size, bytes + 10, 4);
    memcpy(&count, bytes + 14, 8);
    memcpy(&stored_hash, bytes + length - 8, 8);
    if (size != sizeof(prepay_meter_t) || count != site->meter_count || stored_hash != hash) {
        snprintf(err, err_cap, "%s: state file does not match (meter size, count or checksum)", path);
        goto done;
    }
    const uint8_t *p = bytes + 22;
    prepay_time_t now;
    memcpy(&now, p, sizeof now);
    p += sizeof now;
    for (size_t i = 0; i < site->meter_count; i++) {
        prepay_meter_t saved;
        memcpy(&saved, p, sizeof saved);
        if (memcmp(saved.address.bytes, site->meters[i].meter.address.bytes, PREPAY_DLT645_ADDRESS_SIZE) != 0) {
            snprintf(err, err_cap, "%s: meter %zu has another address than in the site file", path, i);
            goto done;
        }
        p += per_meter;
    }
    /* Checked: apply. Pointers are the live ones of this process. */
    p = bytes + 22 + sizeof now;
    for (size_t i = 0; i < site->meter_count; i++) {
        emu_meter_t *m = &site->meters[i];
        prepay_meter_t live = m->meter;
        memcpy(&m->meter, p, sizeof m->meter);
        memcpy(m->meter.sets, live.sets, sizeof live.sets);
        memcpy(m->meter.writable, live.writable, sizeof live.writable);
        m->meter.policy = live.policy;
        m->meter.account = live.account;
        /* A cache of what the meter derived from its tariffs: rebuilt from the live ones. */
        memset(&m->meter.derived, 0, sizeof m->meter.derived);
        p += sizeof m->meter;
        uint64_t counters[6];
        memcpy(counters, p, sizeof counters);
        p += sizeof counters;
        m->requests = counters[0];
        m->replies = counters[1];
        m->dropped = counters[2];
        m->corrupted = counters[3];
        m->carry_ws = (int64_t)counters[4];
        m->fed_mark = (prepay_energy_t)counters[5];
    }
    for (size_t i = 0; i < site->event_count; i++) {
        site->events[i].done = *p++ != 0;
    }
    site->now = now;
    rc = 0;
done:
    free(bytes);
    return rc;
}
