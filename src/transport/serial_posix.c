/* SPDX-License-Identifier: MIT */
/*
 * Serial / RS-485 ports through termios (hosted): raw mode, DL/T 645 line
 * settings (2400 8E1 by default, DL/T 645-2007 clause 7.3), exclusive open
 * (TIOCEXCL, and an advisory flock() that also holds against root, whom
 * TIOCEXCL does not stop), errors with the system's text.
 */
#define _DEFAULT_SOURCE /* cfmakeraw, flock, TIOCEXCL */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "transport_posix_internal.h"

void prepay__transport_error(char *error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error, PREPAY_TRANSPORT_ERROR_MAX, fmt, ap);
    va_end(ap);
}

static const struct {
    uint32_t baud;
    speed_t code;
} rates[] = {
    {1200, B1200},   {2400, B2400},   {4800, B4800},   {9600, B9600},
    {19200, B19200}, {38400, B38400}, {57600, B57600}, {115200, B115200},
};

static bool rate_code(uint32_t baud, speed_t *code)
{
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        if (rates[i].baud == baud) {
            *code = rates[i].code;
            return true;
        }
    }
    return false;
}

static bool settings_ok(const prepay_serial_settings_t *s)
{
    speed_t code;
    return rate_code(s->baud, &code) && s->data_bits >= 5 && s->data_bits <= 8 &&
           (s->parity == 'N' || s->parity == 'E' || s->parity == 'O') && (s->stop_bits == 1 || s->stop_bits == 2);
}

void prepay_serial_settings_default(prepay_serial_settings_t *out)
{
    if (!out) {
        return;
    }
    out->baud = 2400;
    out->data_bits = 8;
    out->parity = 'E';
    out->stop_bits = 1;
}

int prepay_serial_settings_parse(const char *text, prepay_serial_settings_t *out)
{
    if (!text || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_serial_settings_t s;
    prepay_serial_settings_default(&s);
    char *end = NULL;
    errno = 0;
    unsigned long baud = strtoul(text, &end, 10);
    if (end == text || errno != 0 || baud > 1000000ul) {
        return PREPAY_E_TRANSPORT_SETTINGS;
    }
    s.baud = (uint32_t)baud;
    if (*end == ':') {
        const char *f = end + 1;
        if (strlen(f) != 3 || f[0] < '5' || f[0] > '8' || (f[2] != '1' && f[2] != '2')) {
            return PREPAY_E_TRANSPORT_SETTINGS;
        }
        s.data_bits = (uint8_t)(f[0] - '0');
        s.parity = (char)toupper((unsigned char)f[1]);
        s.stop_bits = (uint8_t)(f[2] - '0');
    } else if (*end != '\0') {
        return PREPAY_E_TRANSPORT_SETTINGS;
    }
    if (!settings_ok(&s)) {
        return PREPAY_E_TRANSPORT_SETTINGS;
    }
    *out = s;
    return PREPAY_OK;
}

uint32_t prepay_serial_char_time_us(const prepay_serial_settings_t *s)
{
    if (!s || s->baud == 0) {
        return 0;
    }
    uint32_t bits = 1u + s->data_bits + (s->parity == 'N' ? 0u : 1u) + s->stop_bits;
    return (uint32_t)((bits * 1000000ull + s->baud - 1u) / s->baud);
}

static int fail(prepay_transport_t *t, int fd, int status)
{
    if (fd >= 0) {
        close(fd);
    }
    t->fd = -1;
    t->kind = PREPAY_TRANSPORT_NONE;
    return status;
}

/* A pseudo-terminal has no line: Linux forces CS8 and clears PARENB on it, and
 * glibc's tcsetattr() then reports EINVAL because the settings read back
 * differ. On a pty (Unix98 slave, majors 136-143) the speed and the raw mode
 * are what matter; frame settings there are taken as set. */
static bool pty_took(int fd, const struct termios *want)
{
    struct stat st;
    struct termios got;
    if (errno != EINVAL || fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) < 136u ||
        major(st.st_rdev) > 143u || tcgetattr(fd, &got) != 0) {
        errno = EINVAL;
        return false;
    }
    const tcflag_t frame = (tcflag_t)(CSIZE | PARENB | PARODD | CSTOPB);
    if (cfgetospeed(&got) != cfgetospeed(want) || (got.c_cflag & ~frame) != (want->c_cflag & ~frame) ||
        (got.c_lflag & (tcflag_t)(ICANON | ECHO | ISIG)) != 0) {
        errno = EINVAL;
        return false;
    }
    return true;
}

int prepay_transport_open_serial(prepay_transport_t *t, const char *device, const prepay_serial_settings_t *settings)
{
    if (!t || !device) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(t, 0, sizeof *t);
    t->fd = -1;
    if (strlen(device) >= sizeof t->name) {
        prepay__transport_error(t->error, "serial device path too long");
        return PREPAY_E_INVALID_ARGUMENT;
    }
    snprintf(t->name, sizeof t->name, "%s", device);
    if (settings) {
        t->serial = *settings;
    } else {
        prepay_serial_settings_default(&t->serial);
    }
    if (!settings_ok(&t->serial)) {
        prepay__transport_error(t->error, "%s: unsupported serial settings %u:%u%c%u", device,
                                (unsigned)t->serial.baud, t->serial.data_bits, t->serial.parity,
                                t->serial.stop_bits);
        return PREPAY_E_TRANSPORT_SETTINGS;
    }
    int fd = open(device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        prepay__transport_error(t->error, "%s: %s", device, strerror(e));
        return fail(t, -1, e == EBUSY ? PREPAY_E_TRANSPORT_BUSY : PREPAY_E_TRANSPORT_OPEN);
    }
    if (!isatty(fd)) {
        prepay__transport_error(t->error, "%s: not a serial port (not a terminal device)", device);
        return fail(t, fd, PREPAY_E_TRANSPORT_OPEN);
    }
    /* Another station on the same bus would garble every exchange: one owner only. */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        prepay__transport_error(t->error, "%s: in use by another program (%s)", device,
                                e == EWOULDBLOCK ? "locked" : strerror(e));
        return fail(t, fd, e == EWOULDBLOCK ? PREPAY_E_TRANSPORT_BUSY : PREPAY_E_TRANSPORT_OPEN);
    }
    if (ioctl(fd, TIOCEXCL) != 0) {
        int e = errno;
        prepay__transport_error(t->error, "%s: cannot open exclusively: %s", device, strerror(e));
        return fail(t, fd, PREPAY_E_TRANSPORT_BUSY);
    }
    struct termios tio;
    if (tcgetattr(fd, &tio) != 0) {
        int e = errno;
        prepay__transport_error(t->error, "%s: %s", device, strerror(e));
        return fail(t, fd, PREPAY_E_TRANSPORT_OPEN);
    }
    cfmakeraw(&tio);
    tio.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
    static const tcflag_t sizes[4] = {CS5, CS6, CS7, CS8};
    tio.c_cflag |= sizes[t->serial.data_bits - 5u] | CLOCAL | CREAD;
    if (t->serial.parity != 'N') {
        tio.c_cflag |= PARENB | (t->serial.parity == 'O' ? PARODD : 0);
        tio.c_iflag |= INPCK | IGNPAR; /* a byte with a parity error is dropped: the frame parser resynchronises */
    }
    if (t->serial.stop_bits == 2) {
        tio.c_cflag |= CSTOPB;
    }
    tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
    tio.c_cc[VMIN] = 0;
    tio.c_cc[VTIME] = 0;
    speed_t code = B2400;
    (void)rate_code(t->serial.baud, &code);
    if (cfsetispeed(&tio, code) != 0 || cfsetospeed(&tio, code) != 0 ||
        (tcsetattr(fd, TCSANOW, &tio) != 0 && !pty_took(fd, &tio))) {
        int e = errno;
        prepay__transport_error(t->error, "%s: cannot set %u:%u%c%u: %s", device, (unsigned)t->serial.baud,
                                t->serial.data_bits, t->serial.parity, t->serial.stop_bits, strerror(e));
        return fail(t, fd, PREPAY_E_TRANSPORT_SETTINGS);
    }
    struct termios check;
    if (tcgetattr(fd, &check) != 0 || cfgetospeed(&check) != code) {
        prepay__transport_error(t->error, "%s: the device does not take %u bit/s", device, (unsigned)t->serial.baud);
        return fail(t, fd, PREPAY_E_TRANSPORT_SETTINGS);
    }
    (void)tcflush(fd, TCIOFLUSH);
    t->fd = fd;
    t->kind = PREPAY_TRANSPORT_SERIAL;
    t->error[0] = '\0';
    return PREPAY_OK;
}
