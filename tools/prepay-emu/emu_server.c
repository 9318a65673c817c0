/* SPDX-License-Identifier: MIT */
/* prepay-emu: TCP front end — meters on their own ports and/or many meters behind one DTU port. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cli_file.h"
#include "emu_links.h"
#include "emu_server.h"
#include "prepay/modbus.h"

#define MAX_CLIENTS 1024
#define IN_MAX 8192
#define OUT_MAX (8 * PREPAY_DLT645_FRAME_MAX)

typedef struct listener {
    int fd;
    size_t first, count; /* the meters reachable through this port */
    int port;
    bool modbus;         /* the Modbus port: the Modbus RTU water meters */
} listener_t;

enum client_kind {
    CLIENT_TCP = 0, /* a station connected to a port */
    CLIENT_PTY = 1, /* the pseudo-terminal of serial mode: never closed */
    CLIENT_DIAL = 2, /* the DTU's own connection to a station: connected again when lost */
    CLIENT_MODBUS = 3 /* a station connected to the Modbus port (RTU frames over TCP) */
};

typedef struct client {
    int fd;
    uint8_t kind;                      /* enum client_kind */
    uint32_t answered;                 /* frames served (dial-in fault injection) */
    uint64_t last_io_ms;               /* last bytes in or out (dial-in heartbeat) */
    bool closing;                      /* the peer closed: finish what was received, then close */
    size_t first, count;
    prepay_dlt645_stream_t stream;
    prepay_modbus_stream_t modbus;     /* CLIENT_MODBUS: the request parser (frames split by length) */
    uint8_t in[IN_MAX];                /* received, not yet given to the stream parser */
    size_t in_len;
    uint8_t pending[PREPAY_DLT645_FRAME_MAX]; /* a time sync whose simulation is still running */
    size_t pending_len;
    uint8_t out[OUT_MAX];
    size_t out_len;
    uint64_t send_at_ms; /* delayed reply */
} client_t;

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static uint64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int open_listener(const char *host, int port, int *bound_port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(fd, 64) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    socklen_t len = sizeof sa;
    getsockname(fd, (struct sockaddr *)&sa, &len);
    *bound_port = ntohs(sa.sin_port);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

static void flush_client(client_t *c)
{
    while (c->out_len > 0) {
        ssize_t n = c->kind == CLIENT_PTY ? write(c->fd, c->out, c->out_len)
                                          : send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);
        if (n <= 0) {
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                return;
            }
            c->out_len = 0; /* peer gone: drop; the read side will notice */
            return;
        }
        memmove(c->out, c->out + n, c->out_len - (size_t)n);
        c->out_len -= (size_t)n;
        c->last_io_ms = monotonic_ms();
    }
}

/* Hands one whole frame to the bus and queues the reply. */
static int answer_frame(emu_site_t *site, client_t *c, const uint8_t *raw, size_t len, uint64_t now_ms)
{
    uint32_t delay = 0;
    uint8_t reply[OUT_MAX];
    int r = emu_bus_handle(site, c->first, c->count, raw, len, reply, sizeof reply, &delay);
    if (r < 0) {
        return r;
    }
    if (r > 0 && c->out_len + (size_t)r <= sizeof c->out) {
        memcpy(c->out + c->out_len, reply, (size_t)r);
        c->out_len += (size_t)r;
        c->send_at_ms = now_ms + delay;
    }
    return PREPAY_OK;
}

/* In sync mode nothing is answered while a time sync is being simulated,
 * so that every frame after a sync sees the meters at the synced time. */
static bool must_wait(const emu_site_t *site)
{
    return site->clock == EMU_CLOCK_SYNC && emu_site_busy(site);
}

/* The Modbus port: each whole request the library's RTU parser finds (split by its inferred length,
 * a frame with a bad CRC skipped byte by byte) goes to the Modbus water meters; the reply is queued. */
static int serve_modbus(emu_site_t *site, client_t *c, uint64_t now_ms)
{
    for (;;) {
        prepay_modbus_adu_t adu;
        int got = prepay_modbus_stream_next(&c->modbus, &adu);
        if (got < 0) {
            return got;
        }
        if (got == 0) {
            if (c->in_len == 0) {
                return PREPAY_OK;
            }
            int taken = prepay_modbus_stream_feed(&c->modbus, c->in, c->in_len, now_ms * 1000u);
            if (taken <= 0) {
                return taken < 0 ? taken : PREPAY_OK;
            }
            memmove(c->in, c->in + taken, c->in_len - (size_t)taken);
            c->in_len -= (size_t)taken;
            continue;
        }
        uint8_t raw[PREPAY_MODBUS_ADU_MAX], reply[OUT_MAX];
        int n = prepay_modbus_encode(&adu, raw, sizeof raw);
        int r = n > 0 ? emu_water_handle_modbus(site, raw, (size_t)n, reply, sizeof reply) : 0;
        if (r < 0) {
            return r;
        }
        c->answered++;
        if (r > 0 && c->out_len + (size_t)r <= sizeof c->out) {
            memcpy(c->out + c->out_len, reply, (size_t)r);
            c->out_len += (size_t)r;
            c->send_at_ms = now_ms;
        }
    }
}

/* Answers the client's received frames, in order, until none is left or
 * a time sync starts a simulation (the rest waits for it). */
static int serve_client(emu_site_t *site, const emu_server_options_t *opt, client_t *c, uint64_t now_ms)
{
    if (c->kind == CLIENT_MODBUS) {
        return must_wait(site) ? PREPAY_OK : serve_modbus(site, c, now_ms);
    }
    if (c->pending_len > 0) {
        if (must_wait(site)) {
            return PREPAY_OK;
        }
        int status = answer_frame(site, c, c->pending, c->pending_len, now_ms);
        c->pending_len = 0;
        if (status != PREPAY_OK) {
            return status;
        }
    }
    while (!must_wait(site)) {
        prepay_dlt645_frame_t frame;
        int got = prepay_dlt645_stream_next(&c->stream, &frame);
        if (got < 0) {
            return got;
        }
        if (got == 0) {
            if (c->in_len == 0) {
                return PREPAY_OK;
            }
            size_t feed = c->in_len;
            prepay_dlt645_stream_stats_t held;
            if (prepay_dlt645_stream_stats(&c->stream, &held) == PREPAY_OK && held.bytes_pending == 0) {
                /* Between frames: a CJ/T 188 request (water meters) is taken here, whole (emu_water.c). */
                emu_split_t kind = emu_link_split(c->in, c->in_len, &feed);
                if (kind == EMU_SPLIT_WAIT) {
                    return PREPAY_OK;
                }
                if (kind == EMU_SPLIT_CJT188 || kind == EMU_SPLIT_DROP) {
                    int status = kind == EMU_SPLIT_CJT188 ? answer_frame(site, c, c->in, feed, now_ms) : PREPAY_OK;
                    memmove(c->in, c->in + feed, c->in_len - feed);
                    c->in_len -= feed;
                    if (status != PREPAY_OK) {
                        return status;
                    }
                    c->answered += kind == EMU_SPLIT_CJT188;
                    continue;
                }
            }
            int taken = prepay_dlt645_stream_feed(&c->stream, c->in, feed);
            if (taken < 0) {
                return taken;
            }
            memmove(c->in, c->in + taken, c->in_len - (size_t)taken);
            c->in_len -= (size_t)taken;
            if (taken == 0) {
                return PREPAY_OK;
            }
            continue;
        }
        uint8_t raw[PREPAY_DLT645_FRAME_MAX];
        frame.preamble = 0;
        int n = prepay_dlt645_encode(&frame, raw, sizeof raw);
        if (n < 0) {
            continue;
        }
        if (c->kind == CLIENT_DIAL && opt->dial_drop_after > 0 && c->answered + 1u == opt->dial_drop_after) {
            /* Fault: the DTU loses its link with a request in flight (once), then dials again. */
            c->answered++;
            c->closing = true;
            c->in_len = 0;
            c->out_len = 0;
            return PREPAY_OK;
        }
        c->answered++;
        if (emu_bus_prepare(site, c->first, c->count, raw, (size_t)n) == 1) {
            memcpy(c->pending, raw, (size_t)n);
            c->pending_len = (size_t)n;
            return PREPAY_OK;
        }
        int status = answer_frame(site, c, raw, (size_t)n, now_ms);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return PREPAY_OK;
}

/* The parent that started us is gone (--exit-with-parent). */
static bool orphaned(const emu_server_options_t *opt, pid_t parent)
{
    return opt->exit_with_parent && getppid() != parent;
}

/* What the emulator serves, in one line (a JSON object with --json). */
static void say_listening(const emu_server_options_t *opt, const emu_site_t *site, int bus_port, int modbus_port,
                          const char *pty_device)
{
    int last_port = opt->port_base + (int)site->meter_count - 1;
    if (opt->cli->json) {
        json_t *o = cli_result();
        cli_set(o, "event", json_string("listening"));
        cli_set(o, "site", cli_json_text(site->name));
        cli_set(o, "meters", json_integer((json_int_t)site->meter_count));
        cli_set(o, "clock", json_string(opt->clock == EMU_CLOCK_SYNC ? "sync" : "wall"));
        cli_set(o, "listen", json_string(opt->listen));
        cli_set(o, "bus_port", bus_port >= 0 ? json_integer(bus_port) : json_null());
        cli_set(o, "modbus_port", modbus_port >= 0 ? json_integer(modbus_port) : json_null());
        cli_set(o, "first_meter_port", opt->port_base > 0 ? json_integer(opt->port_base) : json_null());
        cli_set(o, "last_meter_port", opt->port_base > 0 ? json_integer(last_port) : json_null());
        cli_set(o, "serial", opt->serial_link ? cli_json_text(opt->serial_link) : json_null());
        cli_set(o, "serial_device", opt->serial_link ? cli_json_text(pty_device) : json_null());
        cli_set(o, "dial", opt->dial_host ? cli_json_text(opt->dial_host) : json_null());
        cli_set(o, "dtu_id", opt->dial_host ? cli_json_text(opt->dtu_id) : json_null());
        (void)cli_emit(opt->cli, o); /* a failed write is reported by cli_finish() */
    } else {
        printf("prepay-emu: %s: %zu meters, clock %s", site->name, site->meter_count,
               opt->clock == EMU_CLOCK_SYNC ? "sync (advances on broadcast time syncs)" : "wall");
        if (bus_port >= 0) {
            printf(", bus on %s:%d", opt->listen, bus_port);
        }
        if (opt->port_base > 0) {
            printf(", meters on ports %d..%d", opt->port_base, last_port);
        }
        if (modbus_port >= 0) {
            printf(", %zu Modbus water meters on %s:%d", emu_water_modbus_count(site), opt->listen, modbus_port);
        }
        if (opt->serial_link) {
            printf(", serial bus on %s (%s)", opt->serial_link, pty_device);
        }
        if (opt->dial_host) {
            printf(", DTU %s dialling %s", opt->dtu_id, opt->dial_host);
        }
        printf("\n");
    }
    fflush(stdout);
}

/* The dial-in DTU registered with the station, or lost its connection (one line, a JSON object with --json). */
static void say_dial(const emu_server_options_t *opt, bool registered)
{
    if (opt->quiet) {
        return;
    }
    if (opt->cli->json) {
        json_t *o = cli_result();
        cli_set(o, "event", json_string(registered ? "registered" : "connection_lost"));
        cli_set(o, "dtu_id", cli_json_text(opt->dtu_id));
        cli_set(o, "dial", cli_json_text(opt->dial_host));
        (void)cli_emit(opt->cli, o); /* a failed write is reported by cli_finish() */
    } else if (registered) {
        printf("prepay-emu: DTU %s registered with %s\n", opt->dtu_id, opt->dial_host);
    } else {
        printf("prepay-emu: DTU %s lost its connection; dialling again\n", opt->dtu_id);
    }
    fflush(stdout);
}

/* "bus_port=N" in the ready file, written whole (renamed into place) so that a waiter never reads half of it. */
static int write_ready_file(const emu_server_options_t *opt, int bus_port, int modbus_port)
{
    char err[CLI_MESSAGE_MAX];
    cli_output_t out;
    if (cli_output_open(&out, opt->ready_file, err, sizeof err) != 0) {
        return cli_fail(opt->cli, PREPAY_E_HOSTED_IO, "%s", err);
    }
    fprintf(out.file, "bus_port=%d\n", bus_port);
    if (opt->serial_link) {
        fprintf(out.file, "serial=%s\n", opt->serial_link);
    }
    if (modbus_port >= 0) {
        fprintf(out.file, "modbus_port=%d\n", modbus_port);
    }
    if (cli_output_commit(&out, err, sizeof err) != 0) {
        return cli_fail(opt->cli, PREPAY_E_HOSTED_IO, "%s", err);
    }
    return 0;
}

int emu_serve(emu_site_t *site, const emu_server_options_t *opt)
{
    pid_t parent = getppid();
#ifdef __linux__
    if (opt->exit_with_parent) {
        /* Told at once when the parent dies; the getppid() check covers other systems and the race before this. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
    }
#endif
    size_t max_listeners = 2 + (opt->port_base > 0 ? site->meter_count : 0);
    listener_t *listeners = calloc(max_listeners, sizeof *listeners);
    client_t *clients = calloc(MAX_CLIENTS, sizeof *clients);
    struct pollfd *fds = calloc(max_listeners + MAX_CLIENTS, sizeof *fds);
    if (!listeners || !clients || !fds) {
        free(listeners);
        free(clients);
        free(fds);
        return cli_fail(opt->cli, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    size_t listener_count = 0, client_count = 0;
    int rc = 1;
    char pty_device[128] = "";
    int pty_slave = -1;
    if (opt->bus_port >= 0) {
        listener_t *l = &listeners[listener_count];
        l->fd = open_listener(opt->listen, opt->bus_port, &l->port);
        if (l->fd < 0) {
            cli_fail(opt->cli, PREPAY_E_HOSTED_IO, "cannot listen on %s:%d: %s", opt->listen, opt->bus_port,
                     strerror(errno));
            goto out;
        }
        l->first = 0;
        l->count = site->meter_count;
        listener_count++;
    }
    if (opt->port_base > 0) {
        for (size_t i = 0; i < site->meter_count; i++) {
            listener_t *l = &listeners[listener_count];
            l->fd = open_listener(opt->listen, opt->port_base + (int)i, &l->port);
            if (l->fd < 0) {
                cli_fail(opt->cli, PREPAY_E_HOSTED_IO, "cannot listen on %s:%d: %s", opt->listen,
                         opt->port_base + (int)i, strerror(errno));
                goto out;
            }
            l->first = i;
            l->count = 1;
            listener_count++;
        }
    }
    int modbus_port = -1;
    if (opt->modbus_port >= 0) {
        listener_t *l = &listeners[listener_count];
        l->fd = open_listener(opt->listen, opt->modbus_port, &l->port);
        if (l->fd < 0) {
            cli_fail(opt->cli, PREPAY_E_HOSTED_IO, "cannot listen on %s:%d: %s", opt->listen, opt->modbus_port,
                     strerror(errno));
            goto out;
        }
        l->modbus = true;
        modbus_port = l->port;
        listener_count++;
    }
    bool dial_connected = false;
    uint64_t redial_at = 0;
    uint32_t dial_drops_left = opt->dial_drop_after > 0 ? 1u : 0u;
    char link_err[EMU_ERROR_MAX];
    if (opt->serial_link) {
        int master;
        if (emu_open_pty(opt->serial_link, &master, &pty_slave, pty_device, sizeof pty_device, link_err,
                         sizeof link_err) != 0) {
            cli_fail(opt->cli, PREPAY_E_HOSTED_IO, "%s", link_err);
            goto out;
        }
        client_t *c = &clients[client_count++];
        memset(c, 0, sizeof *c);
        c->fd = master;
        c->kind = CLIENT_PTY;
        c->first = 0;
        c->count = site->meter_count;
        /* cannot fail: a stream and a known edition */
        (void)prepay_dlt645_stream_init(&c->stream, PREPAY_DLT645_EDITION_AUTO);
    }
    if (listener_count == 0 && !opt->serial_link && !opt->dial_host) {
        cli_bad(opt->cli, "nothing to serve (give --bus-port, --port-base, --modbus-port, --serial or --dial)");
        rc = CLI_EXIT_USAGE;
        goto out;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int bus_port = opt->bus_port >= 0 && listener_count > 0 ? listeners[0].port : -1;
    if (!opt->quiet) {
        say_listening(opt, site, bus_port, modbus_port, pty_device);
    }
    if (opt->ready_file && write_ready_file(opt, bus_port, modbus_port) != 0) {
        goto out;
    }
    uint64_t wall_start = monotonic_ms();
    /* Wall mode continues from where the site is (a restored state included). */
    prepay_time_t wall_origin = site->now;
    while (!stop_requested && !orphaned(opt, parent)) {
        if (opt->dial_host && !dial_connected && monotonic_ms() >= redial_at && client_count < MAX_CLIENTS) {
            int fd = emu_dial(opt->dial_host, opt->register_prefix, opt->dtu_id, link_err, sizeof link_err);
            if (fd >= 0) {
                client_t *c = &clients[client_count++];
                memset(c, 0, sizeof *c);
                c->fd = fd;
                c->kind = CLIENT_DIAL;
                c->first = 0;
                c->count = site->meter_count;
                c->last_io_ms = monotonic_ms();
                c->answered = dial_drops_left > 0 ? 0u : opt->dial_drop_after; /* drop once only */
                (void)prepay_dlt645_stream_init(&c->stream, PREPAY_DLT645_EDITION_AUTO); /* cannot fail, as above */
                dial_connected = true;
                say_dial(opt, true);
            } else {
                redial_at = monotonic_ms() + opt->redial_ms;
            }
        }
        size_t nfds = 0;
        for (size_t i = 0; i < listener_count; i++) {
            fds[nfds].fd = listeners[i].fd;
            fds[nfds].events = POLLIN;
            nfds++;
        }
        uint64_t now = monotonic_ms();
        /* While simulating, only look at the sockets: the loop turns every slice. */
        bool simulating = emu_site_busy(site);
        int timeout = simulating ? 0 : 1000;
        if (opt->dial_host && !dial_connected) {
            int wait = redial_at > now ? (int)(redial_at - now) : 0;
            timeout = wait < timeout ? wait : timeout;
        }
        for (size_t i = 0; i < client_count; i++) {
            client_t *c = &clients[i];
            if (c->kind == CLIENT_DIAL && opt->heartbeat && !c->closing) {
                if (now - c->last_io_ms >= opt->heartbeat_ms && c->out_len == 0 && c->in_len == 0) {
                    size_t n = strlen(opt->heartbeat);
                    if (n <= sizeof c->out) {
                        memcpy(c->out, opt->heartbeat, n);
                        c->out_len = n;
                        c->send_at_ms = now;
                    }
                    c->last_io_ms = now;
                } else {
                    int wait = (int)(c->last_io_ms + opt->heartbeat_ms - now);
                    timeout = wait >= 0 && wait < timeout ? wait : timeout;
                }
            }
        }
        for (size_t i = 0; i < client_count; i++) {
            client_t *c = &clients[i];
            fds[nfds].fd = c->fd;
            fds[nfds].events = c->in_len < sizeof c->in && !c->closing ? POLLIN : 0;
            if (c->out_len > 0) {
                if (c->send_at_ms <= now) {
                    fds[nfds].events |= POLLOUT;
                } else if ((int)(c->send_at_ms - now) < timeout) {
                    timeout = (int)(c->send_at_ms - now);
                }
            }
            nfds++;
        }
        int ready = poll(fds, nfds, timeout);
        if (ready < 0) {
            if (errno == EINTR) {
                continue;
            }
            perror("prepay-emu: poll");
            goto out;
        }
        now = monotonic_ms();
        for (size_t i = 0; i < listener_count; i++) {
            if (!(fds[i].revents & POLLIN)) {
                continue;
            }
            int fd = accept(listeners[i].fd, NULL, NULL);
            if (fd < 0) {
                continue;
            }
            if (client_count == MAX_CLIENTS) {
                close(fd);
                continue;
            }
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            fcntl(fd, F_SETFL, O_NONBLOCK);
            fcntl(fd, F_SETFD, FD_CLOEXEC);
            client_t *c = &clients[client_count++];
            memset(c, 0, sizeof *c);
            c->fd = fd;
            c->first = listeners[i].first;
            c->count = listeners[i].count;
            c->kind = listeners[i].modbus ? CLIENT_MODBUS : CLIENT_TCP;
            if (prepay_dlt645_stream_init(&c->stream, PREPAY_DLT645_EDITION_AUTO) != PREPAY_OK ||
                (listeners[i].modbus && prepay_modbus_stream_init(&c->modbus, PREPAY_MODBUS_REQUEST, 0) != PREPAY_OK)) {
                c->closing = true; /* cannot happen with a valid edition; the connection is refused */
            }
        }
        for (size_t k = listener_count; k < nfds; k++) {
            client_t *c = &clients[k - listener_count];
            if ((fds[k].revents & (POLLIN | POLLHUP | POLLERR)) && !c->closing && c->in_len < sizeof c->in) {
                ssize_t n = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);
                if (n > 0) {
                    c->in_len += (size_t)n;
                    c->last_io_ms = now;
                } else if (c->kind == CLIENT_PTY) {
                    /* The station closed the port: the line stays for the next one. */
                } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                    c->closing = true;
                }
            }
            if (c->out_len > 0 && c->send_at_ms <= now) {
                flush_client(c);
            }
        }
        if (opt->clock == EMU_CLOCK_WALL) {
            prepay_time_t t = wall_origin + (prepay_time_t)((now - wall_start) / 1000u) * (prepay_time_t)opt->speed;
            for (size_t i = 0; i < site->meter_count; i++) {
                emu_site_schedule(site, i, t);
            }
        }
        int ran = emu_site_busy(site) ? emu_site_run(site, EMU_SLICE_STEPS) : 0;
        if (ran < 0) {
            cli_fail(opt->cli, ran, "simulation failed: %s", prepay_strerror(ran));
            goto out;
        }
        for (size_t i = 0; i < client_count; i++) {
            client_t *c = &clients[i];
            int status = serve_client(site, opt, c, now);
            if (status != PREPAY_OK) {
                cli_fail(opt->cli, status, "%s", prepay_strerror(status));
                goto out;
            }
            if (c->out_len > 0 && c->send_at_ms <= now) {
                flush_client(c);
            }
            if (c->closing && c->in_len == 0 && c->pending_len == 0) {
                close(c->fd);
                c->fd = -1;
                if (c->kind == CLIENT_DIAL) {
                    if (c->answered >= opt->dial_drop_after && dial_drops_left > 0) {
                        dial_drops_left--;
                    }
                    dial_connected = false;
                    redial_at = now + opt->redial_ms;
                    say_dial(opt, false);
                }
            }
        }
        /* Compact the client table. */
        size_t kept = 0;
        for (size_t i = 0; i < client_count; i++) {
            if (clients[i].fd >= 0) {
                if (kept != i) {
                    clients[kept] = clients[i];
                }
                kept++;
            }
        }
        client_count = kept;
    }
    rc = 0;
    if (!opt->quiet && opt->cli->json) {
        json_t *o = cli_result();
        cli_set(o, "event", json_string("stopped"));
        rc = cli_emit(opt->cli, o);
    } else if (!opt->quiet) {
        printf("prepay-emu: shutting down\n");
    }
out:
    for (size_t i = 0; i < client_count; i++) {
        close(clients[i].fd);
    }
    if (pty_slave >= 0) {
        close(pty_slave);
    }
    if (opt->serial_link && pty_device[0]) {
        (void)unlink(opt->serial_link);
    }
    for (size_t i = 0; i < listener_count; i++) {
        close(listeners[i].fd);
    }
    free(listeners);
    free(clients);
    free(fds);
    return rc;
}
