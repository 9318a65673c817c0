/* prepay-emu: reading a small input file whole, with its size checked before anything is allocated. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu.h"

int emu_read_small_file(const char *path, size_t max, char **text, size_t *len, char *err, size_t err_cap)
{
    *text = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, err_cap, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        snprintf(err, err_cap, "%s: cannot read: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    /* A directory, a FIFO or a device has no meaningful length: refuse it
     * rather than read (or allocate) whatever it claims. */
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, err_cap, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    if (st.st_size < 0 || (unsigned long long)st.st_size > (unsigned long long)max) {
        snprintf(err, err_cap, "%s: %lld bytes, more than the %zu this file may have", path, (long long)st.st_size,
                 max);
        close(fd);
        return -1;
    }
    size_t size = (size_t)st.st_size;
    char *buffer = malloc(size + 1);
    if (!buffer) {
        snprintf(err, err_cap, "%s: out of memory", path);
        close(fd);
        return -1;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, buffer + got, size - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            snprintf(err, err_cap, "%s: %s", path, n < 0 ? strerror(errno) : "shorter than its size (changed while read)");
            free(buffer);
            close(fd);
            return -1;
        }
        got += (size_t)n;
    }
    close(fd);
    buffer[size] = '\0';
    *text = buffer;
    *len = size;
    return 0;
}
