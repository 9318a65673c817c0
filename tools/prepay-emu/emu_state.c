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
    char tmp[4096];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        snprintf(err, err_cap, "%s: path too long", path);
        free(bytes);
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, err_cap, "%s: cannot write: %s", tmp, strerror(errno));
        free(bytes);
        return -1;
    }
    size_t done = 0;
    int saved_errno = 0;
    while (done < size) {
        ssize_t w = write(fd, bytes + done, size - done);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            saved_errno = w < 0 ? errno : EIO;
            break;
        }
        done += (size_t)w;
    }
    free(bytes);
    if (saved_errno == 0 && fsync(fd) != 0) {
        saved_errno = errno;
    }
    if (close(fd) != 0 && saved_errno == 0) {
        saved_errno = errno;
    }
    if (saved_errno != 0 || rename(tmp, path) != 0) {
        snprintf(err, err_cap, "%s: write failed: %s", path, strerror(saved_errno ? saved_errno : errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int emu_state_load(emu_site_t *site, const char *path, char *err, size_t err_cap)
{
    char *text = NULL;
    size_t len = 0;
    char why[EMU_ERROR_MAX];
    /* At most this site's size: a larger file (or a directory) is refused unread. */
    if (emu_read_small_file(path, emu_state_size(site), &text, &len, err, err_cap) != 0) {
        return -1;
    }
    int rc = emu_state_decode(site, (const uint8_t *)text, len, why, sizeof why);
    if (rc != 0) {
        snprintf(err, err_cap, "%s: %s", path, why);
    }
    free(text);
    return rc;
}
