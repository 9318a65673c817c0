/* SPDX-License-Identifier: MIT */
/*
 * Station side: finding the addresses of the meters on a bus.
 *
 * A read of the communication address (DI 04000401) sent to an address whose
 * high bytes are AA wildcards is answered by every meter whose low bytes
 * match (DL/T 645-2007 clause 7.1.2: wildcards stand for high positions). One
 * meter gives one clean reply; several answer at once and their bytes
 * collide. A collision on a prefix of d fixed low bytes is split into the 100
 * prefixes of d + 1 bytes (the next byte is BCD 00..99): a depth-first search
 * that sends one probe per node it visits.
 */
#include <string.h>

#include "prepay/bcd.h"
#include "prepay/dlt645_di.h"
#include "prepay/station.h"

#define DISCOVERY_MAGIC 0x44495343u /* "DISC" */

int prepay_station_discovery_init(prepay_station_discovery_t *discovery, prepay_dlt645_address_t *found,
                                  size_t found_cap)
{
    if (!discovery || !found || found_cap == 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(discovery, 0, sizeof *discovery);
    discovery->found = found;
    discovery->found_cap = found_cap;
    discovery->magic = DISCOVERY_MAGIC;
    return PREPAY_OK;
}

static prepay_dlt645_address_t probe_address(const prepay_station_discovery_t *discovery)
{
    prepay_dlt645_address_t a;
    for (size_t i = 0; i < PREPAY_DLT645_ADDRESS_SIZE; i++) {
        if (i < discovery->depth) {
            (void)prepay_bcd_encode_byte(discovery->fixed[i], &a.bytes[i]);
        } else {
            a.bytes[i] = PREPAY_DLT645_ADDRESS_WILDCARD_BYTE;
        }
    }
    return a;
}

int prepay_station_discovery_next(prepay_station_discovery_t *discovery, prepay_dlt645_frame_t *request)
{
    if (!discovery || !request) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (discovery->magic != DISCOVERY_MAGIC || discovery->awaiting) {
        return PREPAY_E_BAD_STATE;
    }
    if (discovery->finished) {
        return 0;
    }
    prepay_dlt645_address_t address = probe_address(discovery);
    int status = prepay_dlt645_request_read(request, &address, PREPAY_DI_ADDRESS);
    if (status != PREPAY_OK) {
        return status;
    }
    discovery->awaiting = true;
    discovery->probes++;
    return 1;
}

/* Moves to the next sibling prefix, climbing when a level is exhausted. */
static void next_sibling(prepay_station_discovery_t *discovery)
{
    while (discovery->depth > 0) {
        uint8_t level = (uint8_t)(discovery->depth - 1u);
        if (discovery->fixed[level] < 99u) {
            discovery->fixed[level]++;
            return;
        }
        discovery->depth = level;
    }
    discovery->finished = true;
}

static int remember(prepay_station_discovery_t *discovery, const prepay_dlt645_address_t *address)
{
    for (size_t i = 0; i < discovery->found_count; i++) {
        if (memcmp(discovery->found[i].bytes, address->bytes, PREPAY_DLT645_ADDRESS_SIZE) == 0) {
            return PREPAY_OK;
        }
    }
    if (discovery->found_count == discovery->found_cap) {
        discovery->finished = true;
        return PREPAY_E_STATION_TOO_MANY_METERS;
    }
    discovery->found[discovery->found_count++] = *address;
    return PREPAY_OK;
}

int prepay_station_discovery_report(prepay_station_discovery_t *discovery, prepay_station_probe_outcome_t outcome,
                                    const prepay_dlt645_address_t *address)
{
    if (!discovery) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (discovery->magic != DISCOVERY_MAGIC || !discovery->awaiting) {
        return PREPAY_E_BAD_STATE;
    }
    int status = PREPAY_OK;
    switch (outcome) {
    case PREPAY_STATION_PROBE_SILENT:
        next_sibling(discovery);
        break;
    case PREPAY_STATION_PROBE_ANSWERED: {
        if (!address) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
        prepay_dlt645_address_t probe = probe_address(discovery);
        if (!prepay_dlt645_address_matches(&probe, address)) {
            return PREPAY_E_INVALID_ARGUMENT; /* an answer the probe cannot have asked for */
        }
        status = remember(discovery, address);
        if (status == PREPAY_OK) {
            next_sibling(discovery);
        }
        break;
    }
    case PREPAY_STATION_PROBE_COLLISION:
        if (discovery->depth == PREPAY_DLT645_ADDRESS_SIZE) {
            /* Two meters share one address: nothing to split; keep it once. */
            prepay_dlt645_address_t probe = probe_address(discovery);
            status = remember(discovery, &probe);
            if (status == PREPAY_OK) {
                next_sibling(discovery);
            }
        } else {
            discovery->fixed[discovery->depth] = 0;
            discovery->depth++;
        }
        break;
    default:
        return PREPAY_E_INVALID_ARGUMENT;
    }
    discovery->awaiting = false;
    return status;
}

size_t prepay_station_discovery_count(const prepay_station_discovery_t *discovery)
{
    if (!discovery || discovery->magic != DISCOVERY_MAGIC) {
        return 0;
    }
    return discovery->found_count;
}
