/* SPDX-License-Identifier: MIT */
/*
 * prepay-emu: saving and restoring the emulated meters (clean shutdown and
 * restart). The bytes are made and checked by emu_state_codec.c; this file
 * only moves them: a save is written to a temporary file, synced and
 * renamed over the old one; a load checks the file's size against the size
 * this site's state has before it reads or allocates anything.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_file.h"
#include "emu.h"

int emu_state_save(const emu_site_t *site, const char *path, char *err, size_t err_cap)
{
    size_t size = emu_state_size(site);
    uint8_t *bytes = malloc(size);
    if (!bytes) {
        snprintf(err, err_cap, "%s: out of memory", path);
        return -1;
    }
    if (emu_state_encode(site, bytes, size) != 0) {
        snprintf(err, err_cap, "%s: cannot encode the state", path);
        free(bytes);
        return -1;
    }
    /* Written beside the file, synced and renamed over it: a crash leaves the old state or the new one. */
    cli_output_t out;
    int rc = cli_output_open(&out, path, err, err_cap);
    if (rc == 0 && fwrite(bytes, 1, size, out.file) != size) {
        snprintf(err, err_cap, "%s: cannot write: %s", path, strerror(errno));
        cli_output_abort(&out);
        rc = -1;
    } else if (rc == 0) {
        rc = cli_output_commit(&out, err, err_cap);
    }
    free(bytes);
    return rc;
}

int emu_state_load(emu_site_t *site, const char *path, char *err, size_t err_cap)
{
    char *text = NULL;
    size_t len = 0;
    char why[EMU_ERROR_MAX];
    /* At most this site's size: a larger file (or a directory) is refused unread. */
    if (cli_read_input(path, emu_state_size_max(site), &text, &len, NULL, err, err_cap) != 0) {
        return -1;
    }
    int rc = emu_state_decode(site, (const uint8_t *)text, len, why, sizeof why);
    if (rc != 0) {
        snprintf(err, err_cap, "%s: %s", path, why);
    }
    free(text);
    return rc;
}
