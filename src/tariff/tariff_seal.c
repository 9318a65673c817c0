/* SPDX-License-Identifier: MIT */
/*
 * Sealed plans: validate once, then trust the plan while its sets, switch
 * time and the sets' revisions stay as sealed (see prepay_tariff_plan_seal()).
 */
#include <stddef.h>
#include <string.h>

#include "prepay/config.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "tariff_internal.h"

/* One step of a 64-bit multiply-xorshift hash (the multiplier is 2^64 / golden ratio). */
static PREPAY__ONE_COPY uint64_t mix(uint64_t h, uint64_t word)
{
    h ^= word;
    h *= 0x9E3779B97F4A7C15u;
    return h ^ (h >> 29);
}

/* The splitmix64 finaliser: every input bit reaches every output bit. */
static PREPAY__ONE_COPY uint64_t finish(uint64_t h)
{
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9u;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBu;
    return h ^ (h >> 31);
}

/* The bytes of a tariff up to its revision counter (the revision is not content). */
static uint64_t hash_tariff(uint64_t h, const prepay_tariff_t *t)
{
    const unsigned char *bytes = (const unsigned char *)t;
    size_t size = offsetof(prepay_tariff_t, revision);
    size_t i = 0;
    for (; i + 8u <= size; i += 8u) {
        uint64_t word;
        memcpy(&word, bytes + i, 8u);
        h = mix(h, word);
    }
    uint64_t tail = 0;
    memcpy(&tail, bytes + i, size - i);
    return mix(h, tail ^ (uint64_t)size);
}

uint64_t prepay__plan_fingerprint(const prepay_tariff_plan_t *plan)
{
    uint64_t h = mix(0, PREPAY__SEAL_MAGIC);
    h = hash_tariff(h, plan->sets[0]);
    if (plan->sets[1]) {
        h = hash_tariff(mix(h, 1u), plan->sets[1]);
        h = mix(h, (uint64_t)plan->switch_time);
    }
    h = finish(h);
    return h != 0 ? h : 1u; /* 0 means "no cache" in a state */
}

uint64_t prepay__account_key(uint64_t stamp, const prepay_tariff_t *t, const prepay_tariff_account_t *account)
{
    /* Only what prepay__tier_bounds() reads: the scale, the service period when
     * the tariffs prorate (both sets agree on proration), and the additions to
     * the finite bounds (up to the capacity: set B may have more tiers than A). */
    uint64_t h = mix(0, (uint64_t)account->tier_scale_num);
    h = mix(h, (uint64_t)account->tier_scale_den);
    if (PREPAY_TARIFF_PRORATION && t->proration != PREPAY_PRORATE_NONE) { /* else refused by validation */
        h = mix(h, (uint64_t)account->service_start);
        h = mix(h, (uint64_t)account->service_end);
    }
    for (unsigned i = 0; i + 1u < PREPAY_MAX_TIERS; i++) {
        h = mix(h, (uint64_t)account->tier_add[i]);
    }
    uint64_t key = stamp ^ finish(h);
    return key != 0 ? key : 1u;
}

bool prepay_tariff_plan_is_sealed(const prepay_tariff_plan_t *plan)
{
    return plan && prepay__sealed(plan);
}

int prepay_tariff_plan_seal(prepay_tariff_plan_t *plan)
{
    if (!plan) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    plan->seal.magic = 0;
    int status = prepay_tariff_plan_validate(plan);
    if (status != PREPAY_OK) {
        return status;
    }
    prepay__plan_seal_trusted(plan);
    return PREPAY_OK;
}

void prepay__plan_seal_trusted(prepay_tariff_plan_t *plan)
{
    prepay_tariff_seal_t seal;
    memset(&seal, 0, sizeof seal);
    seal.sets[0] = plan->sets[0];
    seal.sets[1] = plan->sets[1];
    seal.switch_time = plan->switch_time;
    seal.revision[0] = plan->sets[0]->revision;
    seal.revision[1] = plan->sets[1] ? plan->sets[1]->revision : 0u;
    seal.stamp = prepay__plan_fingerprint(plan);
    seal.magic = PREPAY__SEAL_MAGIC;
    plan->seal = seal;
}

/* The check value of a page: the same word hash as a plan's stamp, over the
 * mark, the configuration fingerprint, the size of the set and the set's bytes
 * up to its revision. Every step (mix(), finish()) is a bijection of the
 * running value for a fixed word, and of the word for a fixed running value:
 * two pages that differ within one 8-byte word always get different values. */
static uint64_t page_check_value(const prepay_tariff_page_t *page)
{
    uint64_t h = mix(0, ((uint64_t)page->mark << 32) | page->fingerprint);
    h = mix(h, (uint64_t)sizeof(prepay_tariff_t));
    return finish(hash_tariff(h, &page->tariff));
}

int prepay_tariff_page_seal(prepay_tariff_page_t *page)
{
    if (!page) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    page->mark = 0;
    int status = prepay_tariff_validate(&page->tariff);
    if (status != PREPAY_OK) {
        return status;
    }
    page->mark = PREPAY_TARIFF_PAGE_MARK;
    page->fingerprint = PREPAY_CONFIG_FINGERPRINT;
    page->check = page_check_value(page);
    return PREPAY_OK;
}

int prepay_tariff_page_check(const prepay_tariff_page_t *page)
{
    if (!page) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (page->mark != PREPAY_TARIFF_PAGE_MARK) {
        return PREPAY_E_TARIFF_NOT_SEALED;
    }
    /* Validated under other capacities or layout rules: the bytes mean something else here. */
    if (page->fingerprint != PREPAY_CONFIG_FINGERPRINT) {
        return PREPAY_E_CONFIG_MISMATCH;
    }
    return page_check_value(page) == page->check ? PREPAY_OK : PREPAY_E_TARIFF_SEAL_BROKEN;
}

void prepay_tariff_touch(prepay_tariff_t *tariff)
{
    if (tariff) {
        tariff->revision++;
    }
}
