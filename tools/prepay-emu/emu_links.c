/* SPDX-License-Identifier: MIT */
/*
 * prepay-emu: the bus on a pseudo-terminal (serial mode) and a DTU that
 * dials in to a station (dial-in mode), beside the TCP ports.
 */
#define _DEFAULT_SOURCE /* openpty, cfmakeraw */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "emu_links.h"

int emu_open_pty(const char *link, int *master, int *slave, char *device, size_t cap, char *err, size_t err_cap)
{
    if (openpty(master, slave, NULL, NULL, NULL) != 0) {
        snprintf(err, err_cap, "cannot open a pseudo-terminal: %s", strerror(errno));
        return -1;
    }
    const char *name = ttyname(*slave);
    if (!name || strlen(name) >= cap) {
        snprintf(err, err_cap, "cannot name the pseudo-terminal");
        close(*master);
        close(*slave);
        return -1;
    }
    snprintf(device, cap, "%s", name);
    /* Raw, so that every byte passes as sent until the station sets its own
     * mode; the emulator keeps the slave open so that the master never sees
     * a hang-up when a station closes the port. */
    struct termios tio;
    if (tcgetattr(*slave, &tio) == 0) {
        cfmakeraw(&tio);
        (void)tcsetattr(*slave, TCSANOW, &tio);
    }
    int flags = fcntl(*master, F_GETFL);
    (void)fcntl(*master, F_SETFL, flags | O_NONBLOCK);
    (void)fcntl(*master, F_SETFD, FD_CLOEXEC);
    (void)fcntl(*slave, F_SETFD, FD_CLOEXEC);
    (void)unlink(link);
    if (symlink(device, link) != 0) {
        snprintf(err, err_cap, "%s: cannot link to %s: %s", link, device, strerror(errno));
        close(*master);
        close(*slave);
        return -1;
    }
    return 0;
}

int emu_dial(const char *host_port, const char *prefix, const char *id, char *err, size_t err_cap)
{
    char host[64];
    const char *colon = strrchr(host_port, ':');
    if (!colon || (size_t)(colon - host_port) >= sizeof host) {
        snprintf(err, err_cap, "bad station address %s", host_port);
        return -1;
    }
    memcpy(host, host_port, (size_t)(colon - host_port));
    host[colon - host_port] = '\0';
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)atoi(colon + 1));
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        snprintf(err, err_cap, "bad station address %s", host_port);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        snprintf(err, err_cap, "cannot reach the station at %s: %s", host_port, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    /* The registration packet: the prefix and the id, in one segment. */
    char packet[256];
    int n = snprintf(packet, sizeof packet, "%s%s", prefix ? prefix : "", id);
    if (n <= 0 || (size_t)n >= sizeof packet || send(fd, packet, (size_t)n, MSG_NOSIGNAL) != n) {
        snprintf(err, err_cap, "cannot register with the station at %s", host_port);
        close(fd);
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    (void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    return fd;
}
