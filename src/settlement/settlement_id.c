/* SPDX-License-Identifier: MIT */
/*
 * The settlement id scheme (docs/settlement.md, "Transfer ids"): a 128-bit
 * id packed from (kind, subject, period, sequence), and its 64-bit ledger
 * key for today's 64-bit ledger ids. Both are packings, never hashes, so
 * distinct inputs give distinct outputs inside the documented ranges.
 */
#include "prepay/settlement.h"

#define SEQUENCE_MAX ((1ull << 56) - 1u)

/* How each transfer kind packs (period, sequence) into the key's low 32 bits:
 * the sequence bits it keeps above the period (0: the sequence must be 0). */
static unsigned sequence_bits(unsigned kind)
{
    switch (kind) {
    case PREPAY_SETTLEMENT_KIND_ALLOCATION:
    case PREPAY_SETTLEMENT_KIND_ALLOCATION_DEBT:
        return 12u; /* group 1..4095 << 20 | day < 2^20 */
    case PREPAY_SETTLEMENT_KIND_CHARGE:
    case PREPAY_SETTLEMENT_KIND_CHARGE_DEBT:
        return 16u; /* item << 16 | occurrence < 2^16 */
    default:
        return 0u;
    }
}

static bool kind_assigned(unsigned kind)
{
    return (kind >= PREPAY_SETTLEMENT_KIND_READING && kind <= PREPAY_SETTLEMENT_KIND_CHARGE_DEBT) ||
           (kind >= PREPAY_SETTLEMENT_KIND_ORDER_FIRST && kind <= PREPAY_SETTLEMENT_KIND_ORDER_LAST);
}

int prepay_settlement_id_make(unsigned kind, uint32_t subject, uint32_t period, uint64_t sequence,
                              prepay_settlement_id_t *out)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (kind == 0u || kind > 255u || sequence > SEQUENCE_MAX) {
        return PREPAY_E_SETTLEMENT_ID_RANGE;
    }
    out->hi = (uint64_t)subject << 32 | (uint64_t)period;
    out->lo = (uint64_t)kind << 56 | sequence;
    return PREPAY_OK;
}

void prepay_settlement_id_split(const prepay_settlement_id_t *id, unsigned *kind, uint32_t *subject,
                                uint32_t *period, uint64_t *sequence)
{
    if (!id) {
        return;
    }
    if (kind) {
        *kind = (unsigned)(id->lo >> 56);
    }
    if (subject) {
        *subject = (uint32_t)(id->hi >> 32);
    }
    if (period) {
        *period = (uint32_t)id->hi;
    }
    if (sequence) {
        *sequence = id->lo & SEQUENCE_MAX;
    }
}

int prepay_settlement_ledger_key(const prepay_settlement_id_t *id, uint64_t *out)
{
    if (!id || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    unsigned kind;
    uint32_t subject, period;
    uint64_t sequence;
    prepay_settlement_id_split(id, &kind, &subject, &period, &sequence);
    if (!kind_assigned(kind) || subject == 0u || subject > PREPAY_SETTLEMENT_SUBJECT_MAX) {
        return PREPAY_E_SETTLEMENT_ID_RANGE;
    }
    unsigned bits = sequence_bits(kind);
    uint32_t low;
    if (bits == 0u) {
        if (sequence != 0u) {
            return PREPAY_E_SETTLEMENT_ID_RANGE;
        }
        low = period;
    } else {
        unsigned period_bits = 32u - bits;
        if (sequence == 0u || sequence >= (1ull << bits) || period >= (1ull << period_bits)) {
            return PREPAY_E_SETTLEMENT_ID_RANGE;
        }
        low = (uint32_t)(sequence << period_bits) | period;
    }
    *out = (uint64_t)kind << 59 | (uint64_t)subject << 32 | (uint64_t)low;
    return PREPAY_OK;
}

int prepay_settlement_ledger_key_split(uint64_t key, prepay_settlement_id_t *out)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    unsigned kind = (unsigned)(key >> 59);
    uint32_t subject = (uint32_t)(key >> 32) & PREPAY_SETTLEMENT_SUBJECT_MAX;
    uint32_t low = (uint32_t)key;
    if (!kind_assigned(kind) || subject == 0u) {
        return PREPAY_E_SETTLEMENT_ID_RANGE;
    }
    unsigned bits = sequence_bits(kind);
    uint64_t sequence = 0;
    uint32_t period = low;
    if (bits != 0u) {
        unsigned period_bits = 32u - bits;
        sequence = low >> period_bits;
        period = low & (uint32_t)((1ull << period_bits) - 1u);
        if (sequence == 0u) {
            return PREPAY_E_SETTLEMENT_ID_RANGE;
        }
    }
    return prepay_settlement_id_make(kind, subject, period, sequence, out);
}

uint64_t prepay_settlement_ledger_account_id(uint32_t account_id, unsigned role)
{
    if (role == 0u || role > 255u) {
        return 0u;
    }
    return (uint64_t)account_id << 8 | (uint64_t)role;
}

const char *prepay_settlement_event_name(unsigned type)
{
    static const char *const names[PREPAY_SETTLEMENT_EVENT_TYPES] = {
        "unknown",       "alarm_level",     "low_balance", "cutoff",       "restored",  "command",
        "acknowledged",  "emergency",       "emergency_repaid", "debt_cap", "trip_held", "recharge",
        "debt_created",  "debt_repaid",     "statement",   "replaced",     "rollover",  "reset",
        "jump",          "gap",             "share",       "charge",       "refund",
        "sale",
    };
    return type < PREPAY_SETTLEMENT_EVENT_TYPES ? names[type] : names[0];
}
