/*
 * prepay-emu: the command line, parsed into emu_options_t with every number
 * range-checked (a port above 65535 is refused, not truncated to 16 bits).
 * No side effects, so that it can be fuzzed.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "emu_server.h"

/* A decimal integer in [min, max]: digits only (no sign, space or suffix). */
static int parse_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    if (text == NULL || *text == '\0') {
        return -1;
    }
    uint64_t v = 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9') {
            return -1;
        }
        unsigned digit = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - digit) / 10u) {
            return -1;
        }
        v = v * 10u + digit;
    }
    if (v < min || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_probability(const char *text, uint32_t *ppm)
{
    int64_t v;
    if (prepay_fixed_parse(text, strlen(text), 6, &v) != PREPAY_OK || v < 0 || v > 1000000) {
        return -1;
    }
    *ppm = (uint32_t)v;
    return 0;
}

static int usage_error(char *err, size_t err_cap, const char *option, const char *what)
{
    snprintf(err, err_cap, "%s takes %s", option, what);
    return 2;
}

int emu_options_parse(int argc, char **argv, emu_options_t *out, char *err, size_t err_cap)
{
    emu_options_t o;
    memset(&o, 0, sizeof o);
    o.server.listen = "127.0.0.1";
    o.server.bus_port = -1;
    o.server.clock = EMU_CLOCK_SYNC;
    o.server.speed = 60;
    if (argc < 2) {
        snprintf(err, err_cap, "no site file (try --help)");
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        o.help = true;
        *out = o;
        return 0;
    }
    if (argv[1][0] == '-') {
        snprintf(err, err_cap, "the first argument is the site file, not %.64s", argv[1]);
        return 2;
    }
    o.site_path = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--quiet") == 0) {
            o.server.quiet = true;
            continue;
        }
        if (strcmp(a, "--exit-with-parent") == 0) {
            o.server.exit_with_parent = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            o.help = true;
            continue;
        }
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        static const char *const valued[] = {"--listen", "--bus-port", "--port-base", "--clock",   "--speed",
                                             "--state",  "--ready-file", "--drop",    "--corrupt", "--delay-ms",
                                             "--seed",   "--sync-limit", "--serial",  "--dial",    "--dtu-id",
                                             "--register-prefix", "--heartbeat", "--heartbeat-s",
                                             "--dial-drop-after", "--redial-ms"};
        bool known = false;
        for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++) {
            known = known || strcmp(a, valued[k]) == 0;
        }
        if (!known) {
            snprintf(err, err_cap, "unknown option %.64s", a);
            return 2;
        }
        if (!v) {
            snprintf(err, err_cap, "%s needs a value", a);
            return 2;
        }
        i++;
        uint64_t n = 0;
        if (strcmp(a, "--listen") == 0) {
            struct in_addr probe;
            if (inet_pton(AF_INET, v, &probe) != 1) {
                return usage_error(err, err_cap, a, "an IPv4 address such as 127.0.0.1");
            }
            o.server.listen = v;
        } else if (strcmp(a, "--bus-port") == 0) {
            if (parse_u64(v, 0, 65535, &n) != 0) {
                return usage_error(err, err_cap, a, "a TCP port 0..65535 (0 = any free port)");
            }
            o.server.bus_port = (int)n;
        } else if (strcmp(a, "--port-base") == 0) {
            if (parse_u64(v, 1, 65535, &n) != 0) {
                return usage_error(err, err_cap, a, "a TCP port 1..65535");
            }
            o.server.port_base = (int)n;
        } else if (strcmp(a, "--clock") == 0) {
            if (strcmp(v, "sync") == 0) {
                o.server.clock = EMU_CLOCK_SYNC;
            } else if (strcmp(v, "wall") == 0) {
                o.server.clock = EMU_CLOCK_WALL;
            } else {
                return usage_error(err, err_cap, a, "sync or wall");
            }
        } else if (strcmp(a, "--speed") == 0) {
            if (parse_u64(v, 1, EMU_SPEED_MAX, &n) != 0) {
                return usage_error(err, err_cap, a, "simulated seconds per wall second, 1..1000000");
            }
            o.server.speed = (uint32_t)n;
        } else if (strcmp(a, "--state") == 0) {
            o.state_path = v;
        } else if (strcmp(a, "--ready-file") == 0) {
            o.server.ready_file = v;
        } else if (strcmp(a, "--drop") == 0 || strcmp(a, "--corrupt") == 0) {
            bool drop = strcmp(a, "--drop") == 0;
            if (parse_probability(v, drop ? &o.drop_ppm : &o.corrupt_ppm) != 0) {
                return usage_error(err, err_cap, a, "a probability 0..1 such as 0.01");
            }
            *(drop ? &o.has_drop : &o.has_corrupt) = true;
        } else if (strcmp(a, "--delay-ms") == 0) {
            if (parse_u64(v, 0, EMU_DELAY_MS_MAX, &n) != 0) {
                return usage_error(err, err_cap, a, "milliseconds 0..60000");
            }
            o.delay_ms = (uint32_t)n;
            o.has_delay = true;
        } else if (strcmp(a, "--seed") == 0) {
            if (parse_u64(v, 0, UINT64_MAX, &o.seed) != 0) {
                return usage_error(err, err_cap, a, "a non-negative integer");
            }
            o.has_seed = true;
        } else if (strcmp(a, "--serial") == 0) {
            if (v[0] == '\0') {
                return usage_error(err, err_cap, a, "the path of a symlink to create to the pseudo-terminal");
            }
            o.server.serial_link = v;
        } else if (strcmp(a, "--dial") == 0) {
            const char *colon = strrchr(v, ':');
            struct in_addr probe;
            char host[64];
            if (!colon || (size_t)(colon - v) >= sizeof host || parse_u64(colon + 1, 1, 65535, &n) != 0) {
                return usage_error(err, err_cap, a, "HOST:PORT (an IPv4 address and a port)");
            }
            memcpy(host, v, (size_t)(colon - v));
            host[colon - v] = '\0';
            if (inet_pton(AF_INET, host, &probe) != 1) {
                return usage_error(err, err_cap, a, "HOST:PORT (an IPv4 address and a port)");
            }
            o.server.dial_host = v;
            o.server.dial_port = (int)n;
        } else if (strcmp(a, "--dtu-id") == 0) {
            if (v[0] == '\0' || strlen(v) > 32) {
                return usage_error(err, err_cap, a, "an id of 1..32 characters");
            }
            o.server.dtu_id = v;
        } else if (strcmp(a, "--register-prefix") == 0) {
            o.server.register_prefix = v;
        } else if (strcmp(a, "--heartbeat") == 0) {
            o.server.heartbeat = v;
        } else if (strcmp(a, "--heartbeat-s") == 0) {
            if (parse_u64(v, 1, 86400, &n) != 0) {
                return usage_error(err, err_cap, a, "seconds 1..86400");
            }
            o.server.heartbeat_ms = (uint32_t)n * 1000u;
        } else if (strcmp(a, "--dial-drop-after") == 0) {
            if (parse_u64(v, 1, 1000000000, &n) != 0) {
                return usage_error(err, err_cap, a, "a number of frames, 1..1000000000");
            }
            o.server.dial_drop_after = (uint32_t)n;
        } else if (strcmp(a, "--redial-ms") == 0) {
            if (parse_u64(v, 1, 600000, &n) != 0) {
                return usage_error(err, err_cap, a, "milliseconds 1..600000");
            }
            o.server.redial_ms = (uint32_t)n;
        } else { /* --sync-limit */
            if (parse_u64(v, 0, (uint64_t)EMU_SYNC_LIMIT_MAX, &n) != 0) {
                return usage_error(err, err_cap, a, "seconds 0..3162240000 (0 = any)");
            }
            o.sync_limit = (int64_t)n;
            o.has_sync_limit = true;
        }
    }
    if (o.server.dial_host && !o.server.dtu_id) {
        snprintf(err, err_cap, "--dial needs --dtu-id (the id the DTU registers with)");
        return 2;
    }
    if (o.server.heartbeat && o.server.heartbeat_ms == 0) {
        o.server.heartbeat_ms = 30000;
    }
    if (o.server.redial_ms == 0) {
        o.server.redial_ms = 500;
    }
    if (o.server.bus_port < 0 && o.server.port_base == 0 && !o.server.serial_link && !o.server.dial_host) {
        o.server.bus_port = 0;
    }
    *out = o;
    return 0;
}

int emu_options_check_site(const emu_options_t *options, const emu_site_t *site, char *err, size_t err_cap)
{
    int base = options->server.port_base;
    if (base > 0 && site->meter_count > (size_t)(65535 - base) + 1u) {
        snprintf(err, err_cap, "--port-base %d with %zu meters needs ports up to %llu, above 65535", base,
                 site->meter_count, (unsigned long long)base + site->meter_count - 1u);
        return 2;
    }
    return 0;
}
