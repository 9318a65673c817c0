/* SPDX-License-Identifier: MIT */
/*
 * The site model: memory sizing and layout, initialisation, adding accounts,
 * meters, groups and members (each checked against the site, so a site that
 * contradicts itself is refused item by item), and the id indexes.
 */
#include <string.h>

#include "prepay/allocation.h"
#include "prepay/dlt645_di.h"
#include "settlement_internal.h"

/* ---- indexes: open addressing, linear probing, slot = index + 1 ---------- */

static uint32_t hash_address(const prepay_dlt645_address_t *a)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < PREPAY_DLT645_ADDRESS_SIZE; i++) {
        h = (h ^ a->bytes[i]) * 16777619u;
    }
    return prepay__settle_hash32(h);
}

static bool address_empty(const prepay_dlt645_address_t *a)
{
    for (size_t i = 0; i < PREPAY_DLT645_ADDRESS_SIZE; i++) {
        if (a->bytes[i] != 0u) {
            return false;
        }
    }
    return true;
}

uint32_t prepay__settle_find_account(const prepay_settlement_site_t *site, uint32_t id)
{
    const prepay_settlement_memory_t *m = &site->memory;
    uint32_t mask = m->account_index_slots - 1u;
    for (uint32_t s = prepay__settle_hash32(id) & mask;; s = (s + 1u) & mask) {
        uint32_t v = m->account_index[s];
        if (v == 0u) {
            return PREPAY_SETTLEMENT_NONE;
        }
        if (m->accounts[v - 1u].config.id == id) {
            return v - 1u;
        }
    }
}

uint32_t prepay__settle_find_meter(const prepay_settlement_site_t *site, uint32_t id)
{
    const prepay_settlement_memory_t *m = &site->memory;
    uint32_t mask = m->meter_index_slots - 1u;
    for (uint32_t s = prepay__settle_hash32(id) & mask;; s = (s + 1u) & mask) {
        uint64_t v = m->meter_index[s];
        if (v == 0u) {
            return PREPAY_SETTLEMENT_NONE;
        }
        if ((uint32_t)(v >> 32) == id) {
            return (uint32_t)v - 1u;
        }
    }
}

uint32_t prepay__settle_find_address(const prepay_settlement_site_t *site, const prepay_dlt645_address_t *address)
{
    const prepay_settlement_memory_t *m = &site->memory;
    if (m->address_index_slots == 0u) {
        return PREPAY_SETTLEMENT_NONE;
    }
    uint32_t mask = m->address_index_slots - 1u;
    for (uint32_t s = hash_address(address) & mask;; s = (s + 1u) & mask) {
        uint32_t v = m->address_index[s];
        if (v == 0u) {
            return PREPAY_SETTLEMENT_NONE;
        }
        if (memcmp(m->meters[v - 1u].config.address.bytes, address->bytes, PREPAY_DLT645_ADDRESS_SIZE) == 0) {
            return v - 1u;
        }
    }
}

uint32_t prepay__settle_find_group(const prepay_settlement_site_t *site, uint32_t number)
{
    for (uint32_t i = 0; i < site->group_count; i++) {
        if (site->memory.groups[i].config.number == number) {
            return i;
        }
    }
    return PREPAY_SETTLEMENT_NONE;
}

static void index_insert(uint32_t *slots, uint32_t slot_count, uint32_t hash, uint32_t index)
{
    uint32_t mask = slot_count - 1u;
    uint32_t s = hash & mask;
    while (slots[s] != 0u) {
        s = (s + 1u) & mask;
    }
    slots[s] = index + 1u;
}

/* The meter index keeps the id beside the position, so that finding a meter reads its slot only
 * (prepay_settlement_settle() finds a batch's meters before it reads their records, in order). */
static void meter_index_insert(uint64_t *slots, uint32_t slot_count, uint32_t id, uint32_t index)
{
    uint32_t mask = slot_count - 1u;
    uint32_t s = prepay__settle_hash32(id) & mask;
    while (slots[s] != 0u) {
        s = (s + 1u) & mask;
    }
    slots[s] = (uint64_t)id << 32 | (uint64_t)(index + 1u);
}

/* ---- memory ----------------------------------------------------------------- */

static uint32_t slots_for(uint32_t capacity)
{
    uint32_t slots = 2u;
    while (slots <= 2u * capacity) {
        slots <<= 1;
    }
    return slots;
}

static bool sizes_ok(const prepay_settlement_sizes_t *s)
{
    return s->accounts >= 1u && s->accounts <= PREPAY_MAX_SETTLEMENT_ACCOUNTS && s->meters >= 1u &&
           s->meters <= PREPAY_MAX_SETTLEMENT_METERS && s->groups <= PREPAY_MAX_SETTLEMENT_GROUPS &&
           s->members <= PREPAY_MAX_SETTLEMENT_MEMBERS && s->postpaid <= s->accounts;
}

static bool add_bytes(size_t *total, size_t count, size_t each)
{
    size_t bytes = count * each;
    if (each != 0u && bytes / each != count) {
        return false;
    }
    bytes = (bytes + 7u) & ~(size_t)7u;
    if (bytes > SIZE_MAX - *total) {
        return false;
    }
    *total += bytes;
    return true;
}

/* Byte offsets of the arrays in one buffer (in this order). */
typedef struct layout {
    size_t offset[8];
    size_t total;
} layout_t;

static bool plan_layout(const prepay_settlement_sizes_t *s, layout_t *l)
{
    const size_t counts[8] = {s->accounts,
                              s->meters,
                              s->groups,
                              s->members,
                              s->postpaid,
                              slots_for(s->accounts),
                              slots_for(s->meters),
                              slots_for(s->meters)};
    const size_t each[8] = {sizeof(prepay_settlement_account_t),
                            sizeof(prepay_settlement_meter_t),
                            sizeof(prepay_settlement_group_t),
                            sizeof(prepay_settlement_member_t),
                            sizeof(prepay_settlement_usage_t),
                            sizeof(uint32_t),
                            sizeof(uint64_t), /* meter index: id and position */
                            sizeof(uint32_t)};
    l->total = 0;
    for (size_t i = 0; i < 8u; i++) {
        l->offset[i] = l->total;
        if (!add_bytes(&l->total, counts[i], each[i])) {
            return false;
        }
    }
    return true;
}

int prepay_settlement_memory_size(const prepay_settlement_sizes_t *sizes, size_t *bytes)
{
    if (!sizes || !bytes || !sizes_ok(sizes)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    layout_t l;
    if (!plan_layout(sizes, &l)) {
        return PREPAY_E_OVERFLOW;
    }
    *bytes = l.total;
    return PREPAY_OK;
}

int prepay_settlement_memory_layout(prepay_settlement_memory_t *memory, void *buffer, size_t size,
                                    const prepay_settlement_sizes_t *sizes)
{
    if (!memory || !buffer || !sizes || !sizes_ok(sizes) || ((uintptr_t)buffer & 7u) != 0u) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    layout_t l;
    if (!plan_layout(sizes, &l)) {
        return PREPAY_E_OVERFLOW;
    }
    if (size < l.total) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    uint8_t *b = (uint8_t *)buffer;
    prepay_settlement_memory_t m;
    memset(&m, 0, sizeof m);
    m.sizes = *sizes;
    m.accounts = (prepay_settlement_account_t *)(void *)(b + l.offset[0]);
    m.meters = (prepay_settlement_meter_t *)(void *)(b + l.offset[1]);
    m.groups = sizes->groups ? (prepay_settlement_group_t *)(void *)(b + l.offset[2]) : NULL;
    m.members = sizes->members ? (prepay_settlement_member_t *)(void *)(b + l.offset[3]) : NULL;
    m.usage = sizes->postpaid ? (prepay_settlement_usage_t *)(void *)(b + l.offset[4]) : NULL;
    m.account_index = (uint32_t *)(void *)(b + l.offset[5]);
    m.meter_index = (uint64_t *)(void *)(b + l.offset[6]);
    m.address_index = (uint32_t *)(void *)(b + l.offset[7]);
    m.account_index_slots = slots_for(sizes->accounts);
    m.meter_index_slots = slots_for(sizes->meters);
    m.address_index_slots = slots_for(sizes->meters);
    *memory = m;
    return PREPAY_OK;
}

static bool power_of_two_above(uint32_t slots, uint32_t capacity)
{
    return slots != 0u && (slots & (slots - 1u)) == 0u && slots > 2u * capacity;
}

static bool memory_ok(const prepay_settlement_memory_t *m)
{
    const prepay_settlement_sizes_t *s = &m->sizes;
    if (!sizes_ok(s) || !m->accounts || !m->meters || !m->account_index || !m->meter_index ||
        (s->groups && !m->groups) || (s->members && !m->members) || (s->postpaid && !m->usage)) {
        return false;
    }
    if (!power_of_two_above(m->account_index_slots, s->accounts) ||
        !power_of_two_above(m->meter_index_slots, s->meters)) {
        return false;
    }
    if (m->address_index_slots != 0u &&
        (!m->address_index || !power_of_two_above(m->address_index_slots, s->meters))) {
        return false;
    }
    return true;
}

/* ---- initialisation -------------------------------------------------------------- */

static void set_error(prepay_settlement_result_t *result, uint32_t index, uint32_t id, int detail)
{
    if (result) {
        result->error_index = index;
        result->error_id = id;
        result->error_detail = detail;
    }
}

static bool midnight_in_range(prepay_time_t t)
{
    return t >= 0 && t <= (prepay_time_t)UINT32_MAX && t % PREPAY_SECONDS_PER_DAY == 0;
}

static int check_items(const prepay_settlement_config_t *c, prepay_settlement_result_t *result)
{
    if (c->item_count == 0u) {
        return PREPAY_OK;
    }
    for (uint16_t i = 0; i < c->item_count; i++) {
        if (c->items[i].account_id > PREPAY_SETTLEMENT_SUBJECT_MAX || c->items[i].rate < 0) {
            /* Discounts (negative rates) are corrections: post them as adjustments. */
            set_error(result, i, c->items[i].item_id, 0);
            return PREPAY_E_SETTLEMENT_BAD_CONFIG;
        }
    }
    /* prepay_billing_run() validates every item before anything else; with
     * no accounts it produces no charges. */
    prepay_charge_t none;
    size_t count = 0;
    prepay_days_t start = (prepay_days_t)(c->period_start / PREPAY_SECONDS_PER_DAY);
    prepay_days_t end = (prepay_days_t)(c->period_end / PREPAY_SECONDS_PER_DAY);
    int status = prepay_billing_run(start, end, c->items, c->item_count, NULL, 0, NULL, NULL, &none, 0, &count);
    if (status != PREPAY_OK) {
        set_error(result, PREPAY_SETTLEMENT_NONE, 0, status);
    }
    return status;
}

int prepay_settlement_init(prepay_settlement_site_t *site, const prepay_settlement_memory_t *memory,
                           const prepay_settlement_config_t *config, prepay_settlement_result_t *result)
{
    if (result) {
        memset(result, 0, sizeof *result);
        result->error_index = PREPAY_SETTLEMENT_NONE;
    }
    if (!site || !memory || !config || !memory_ok(memory) || config->tariff_count > PREPAY_MAX_SETTLEMENT_TARIFFS ||
        config->policy_count > PREPAY_MAX_SETTLEMENT_POLICIES || config->item_count > PREPAY_MAX_SETTLEMENT_ITEMS ||
        (config->tariff_count && !config->tariffs) || (config->policy_count && !config->policies) ||
        (config->item_count && !config->items)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!midnight_in_range(config->period_start) || !midnight_in_range(config->period_end) ||
        config->period_end <= config->period_start) {
        return PREPAY_E_SETTLEMENT_PERIOD;
    }
    if ((config->restore_command != PREPAY_DLT645_RELAY_CLOSE_ALLOWED &&
         config->restore_command != PREPAY_DLT645_RELAY_DIRECT_CLOSE) ||
        config->gap_seconds < 0 || config->due_days < 0 || config->reserved != 0u) {
        return PREPAY_E_SETTLEMENT_BAD_CONFIG;
    }
    for (uint16_t i = 0; i < config->tariff_count; i++) {
        int status = prepay_tariff_plan_validate(&config->tariffs[i].plan);
        if (status != PREPAY_OK) {
            set_error(result, i, 0, status);
            return status;
        }
    }
    for (uint16_t i = 0; i < config->policy_count; i++) {
        int status = prepay_wallet_policy_check(&config->policies[i]);
        if (status != PREPAY_OK) {
            set_error(result, i, 0, status);
            return status;
        }
    }
    int status = check_items(config, result);
    if (status != PREPAY_OK) {
        return status;
    }
    for (uint16_t i = 0; i < config->tariff_count; i++) {
        /* Validated above; sealed, every pricing call trusts it (tariff.h). */
        status = prepay_tariff_plan_seal(&config->tariffs[i].plan);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    memset(site, 0, sizeof *site);
    site->memory = *memory;
    site->config = *config;
    memset(site->memory.account_index, 0, site->memory.account_index_slots * sizeof(uint32_t));
    memset(site->memory.meter_index, 0, site->memory.meter_index_slots * sizeof(uint64_t));
    if (site->memory.address_index_slots) {
        memset(site->memory.address_index, 0, site->memory.address_index_slots * sizeof(uint32_t));
    }
    site->period_start = config->period_start;
    site->period_end = config->period_end;
    site->generation = 1;
    site->magic = PREPAY__SETTLE_MAGIC;
    return PREPAY_OK;
}

/* ---- configuration defaults -------------------------------------------------------- */

void prepay_settlement_account_config_init(prepay_settlement_account_config_t *config)
{
    if (!config) {
        return;
    }
    memset(config, 0, sizeof *config);
    config->kind = PREPAY_SETTLEMENT_PREPAID_REMOTE;
    config->tariff[PREPAY_SETTLEMENT_ELECTRICITY] = 0;
    config->tariff[PREPAY_SETTLEMENT_WATER] = PREPAY_SETTLEMENT_NONE16;
    config->active_from = INT32_MIN;
    config->active_to = INT32_MAX;
    (void)prepay_tariff_account_init(&config->tariff_account);
}

void prepay_settlement_meter_config_init(prepay_settlement_meter_config_t *config)
{
    if (!config) {
        return;
    }
    memset(config, 0, sizeof *config);
    config->di = PREPAY_DI_FORWARD_ACTIVE_TOTAL;
    config->tariff = PREPAY_SETTLEMENT_NONE16;
    config->commodity = PREPAY_SETTLEMENT_ELECTRICITY;
    config->modulus = PREPAY_SETTLEMENT_DLT645_MODULUS;
}

/* ---- adding ------------------------------------------------------------------------- */

static bool id_ok(uint32_t id)
{
    return id != 0u && id <= PREPAY_SETTLEMENT_SUBJECT_MAX;
}

static prepay_tariff_unit_t unit_of(unsigned commodity)
{
    return commodity == PREPAY_SETTLEMENT_WATER ? PREPAY_TARIFF_UNIT_WATER : PREPAY_TARIFF_UNIT_ENERGY;
}

/* A tariff number for a commodity: in range and of the commodity's unit. */
static int check_tariff(const prepay_settlement_site_t *site, uint16_t tariff, unsigned commodity)
{
    if (tariff >= site->config.tariff_count) {
        return PREPAY_E_SETTLEMENT_BAD_REFERENCE;
    }
    const prepay_tariff_plan_t *plan = &site->config.tariffs[tariff].plan;
    if (plan->sets[0]->unit != unit_of(commodity)) {
        return PREPAY_E_SETTLEMENT_COMMODITY;
    }
    return PREPAY_OK;
}

int prepay_settlement_add_account(prepay_settlement_site_t *site, const prepay_settlement_account_config_t *config)
{
    if (!prepay__settle_ready(site) || !config) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!id_ok(config->id)) {
        return PREPAY_E_SETTLEMENT_ID_RANGE;
    }
    const prepay_tariff_account_t *ta = &config->tariff_account;
    if (config->kind < PREPAY_SETTLEMENT_PREPAID_REMOTE || config->kind > PREPAY_SETTLEMENT_POSTPAID ||
        (config->flags & ~PREPAY_SETTLEMENT_ACCOUNT_FLAGS) != 0u || config->area < 0 || config->units < 0 ||
        config->active_to < config->active_from || config->max_balance < 0 || ta->tier_scale_num < 0 ||
        ta->tier_scale_den <= 0 || ta->service_start > ta->service_end) {
        return PREPAY_E_SETTLEMENT_BAD_CONFIG;
    }
    if (config->kind != PREPAY_SETTLEMENT_POSTPAID && config->policy >= site->config.policy_count) {
        return PREPAY_E_SETTLEMENT_BAD_REFERENCE;
    }
    for (unsigned c = 0; c < PREPAY_SETTLEMENT_COMMODITIES; c++) {
        if (config->tariff[c] != PREPAY_SETTLEMENT_NONE16) {
            int status = check_tariff(site, config->tariff[c], c);
            if (status != PREPAY_OK) {
                return status;
            }
        }
    }
    if (prepay__settle_find_account(site, config->id) != PREPAY_SETTLEMENT_NONE) {
        return PREPAY_E_SETTLEMENT_DUPLICATE_ID;
    }
    bool postpaid = config->kind == PREPAY_SETTLEMENT_POSTPAID;
    if (site->account_count >= site->memory.sizes.accounts ||
        (postpaid && site->usage_count >= site->memory.sizes.postpaid)) {
        return PREPAY_E_CAPACITY;
    }
    uint32_t index = site->account_count++;
    prepay_settlement_account_t *a = &site->memory.accounts[index];
    memset(a, 0, sizeof *a);
    a->config = *config;
    for (unsigned c = 0; c < PREPAY_SETTLEMENT_COMMODITIES; c++) {
        a->ladder_cycle[c][0] = INT32_MIN;
        a->ladder_cycle[c][1] = INT32_MIN;
    }
    a->statement_opening = config->opening;
    a->first_meter = PREPAY_SETTLEMENT_NONE;
    a->usage = PREPAY_SETTLEMENT_NONE;
    if (postpaid) {
        a->usage = site->usage_count++;
        memset(&site->memory.usage[a->usage], 0, sizeof site->memory.usage[a->usage]);
    }
    prepay_wallet_state_init(&a->wallet);
    a->relay = PREPAY_WALLET_RELAY_CLOSED;
    /* Default tier parameters price as no parameters at all (prepay__tier_bounds() and the
     * capacity rule take the defaults for NULL); passing none saves reading them, some 100
     * bytes at the record's cold end, and hashing them into the stream's cache key, per reading. */
    prepay_tariff_account_t defaults;
    (void)prepay_tariff_account_init(&defaults);
    a->tariff_defaults = memcmp(&defaults, &config->tariff_account, sizeof defaults) == 0 ? 1u : 0u;
    index_insert(site->memory.account_index, site->memory.account_index_slots, prepay__settle_hash32(config->id), index);
    return PREPAY_OK;
}

/* Whether a tariff can keep a ladder shared by several meters (settlement_price.c). */
static bool shareable(const prepay_tariff_plan_t *plan)
{
    const prepay_tariff_t *a = plan->sets[0];
    const prepay_tariff_t *b = plan->sets[1];
    if (a->tou_tier_mode == PREPAY_TOU_TIER_PROPORTIONAL) {
        return false;
    }
    if (b && (b->tier_count != a->tier_count || b->ladder_count != a->ladder_count ||
              memcmp(b->ladder_of_month, a->ladder_of_month, sizeof a->ladder_of_month) != 0 ||
              memcmp(b->ladders, a->ladders, sizeof a->ladders) != 0 || b->proration != a->proration)) {
        return false;
    }
    return true;
}

int prepay_settlement_add_meter(prepay_settlement_site_t *site, const prepay_settlement_meter_config_t *config)
{
    if (!prepay__settle_ready(site) || !config) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (!id_ok(config->id) || (config->account_id != 0u && !id_ok(config->account_id))) {
        return PREPAY_E_SETTLEMENT_ID_RANGE;
    }
    bool initial = (config->flags & PREPAY_SETTLEMENT_METER_INITIAL) != 0u;
    if (initial && (config->initial_time < 0 || config->initial_time > (prepay_time_t)UINT32_MAX)) {
        return PREPAY_E_SETTLEMENT_ID_RANGE;
    }
    if (config->commodity >= PREPAY_SETTLEMENT_COMMODITIES || (config->flags & ~PREPAY_SETTLEMENT_METER_FLAGS) != 0u ||
        config->modulus < 0 || config->max_power < 0 ||
        (initial && (config->initial_reading < 0 ||
                     (config->modulus > 0 && config->initial_reading >= config->modulus)))) {
        return PREPAY_E_SETTLEMENT_BAD_CONFIG;
    }
    bool has_address = !address_empty(&config->address);
    if (has_address && site->memory.address_index_slots == 0u) {
        return PREPAY_E_SETTLEMENT_BAD_CONFIG;
    }
    uint32_t account = PREPAY_SETTLEMENT_NONE;
    if (config->account_id != 0u) {
        account = prepay__settle_find_account(site, config->account_id);
        if (account == PREPAY_SETTLEMENT_NONE) {
            return PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT;
        }
    }
    uint16_t tariff = config->tariff;
    if (tariff == PREPAY_SETTLEMENT_NONE16 && account != PREPAY_SETTLEMENT_NONE) {
        tariff = site->memory.accounts[account].config.tariff[config->commodity];
    }
    if (tariff == PREPAY_SETTLEMENT_NONE16) {
        if (account != PREPAY_SETTLEMENT_NONE) {
            return PREPAY_E_SETTLEMENT_BAD_REFERENCE; /* a billed meter needs a price */
        }
    } else {
        int status = check_tariff(site, tariff, config->commodity);
        if (status != PREPAY_OK) {
            return status;
        }
        if (account != PREPAY_SETTLEMENT_NONE &&
            site->config.tariffs[tariff].plan.sets[0]->tou_tier_mode == PREPAY_TOU_TIER_PROPORTIONAL) {
            return PREPAY_E_TARIFF_NEEDS_BANDS;
        }
    }
    if (account != PREPAY_SETTLEMENT_NONE) {
        /* A second meter of one commodity shares the account's ladder. */
        const prepay_settlement_account_t *a = &site->memory.accounts[account];
        if (a->meter_count[config->commodity] > 0u) {
            bool ok = shareable(&site->config.tariffs[tariff].plan);
            for (uint32_t i = a->first_meter; ok && i != PREPAY_SETTLEMENT_NONE;
                 i = site->memory.meters[i].next_meter) {
                const prepay_settlement_meter_t *o = &site->memory.meters[i];
                ok = o->config.commodity != config->commodity || shareable(&site->config.tariffs[o->tariff].plan);
            }
            if (!ok) {
                return PREPAY_E_SETTLEMENT_GROUP;
            }
        }
    }
    if (prepay__settle_find_meter(site, config->id) != PREPAY_SETTLEMENT_NONE ||
        (has_address && prepay__settle_find_address(site, &config->address) != PREPAY_SETTLEMENT_NONE)) {
        return PREPAY_E_SETTLEMENT_DUPLICATE_ID;
    }
    if (site->meter_count >= site->memory.sizes.meters) {
        return PREPAY_E_CAPACITY;
    }
    uint32_t index = site->meter_count++;
    prepay_settlement_meter_t *m = &site->memory.meters[index];
    memset(m, 0, sizeof *m);
    m->config = *config;
    (void)prepay_tariff_compact_init(&m->stream);
    if (initial) {
        m->flags = PREPAY__METER_PRIMED;
        m->time = config->initial_time;
        m->reading = config->initial_reading;
    }
    m->account = account;
    m->next_meter = PREPAY_SETTLEMENT_NONE;
    m->group = PREPAY_SETTLEMENT_NONE;
    m->open_period = site->period_index;
    m->tariff = tariff;
    if (account != PREPAY_SETTLEMENT_NONE) {
        prepay_settlement_account_t *a = &site->memory.accounts[account];
        unsigned c = config->commodity;
        if (a->meter_count[c] == 1u) {
            /* The ladder becomes shared: it starts from the first meter's cycle. */
            for (uint32_t i = a->first_meter; i != PREPAY_SETTLEMENT_NONE; i = site->memory.meters[i].next_meter) {
                const prepay_settlement_meter_t *o = &site->memory.meters[i];
                if (o->config.commodity == c && o->stream.cycle_energy > 0) {
                    a->ladder_cycle[c][0] = o->stream.cycle;
                    a->ladder_energy[c][0] = o->stream.cycle_energy;
                }
            }
        }
        m->next_meter = a->first_meter;
        a->first_meter = index;
        if (a->opened) {
            m->flags |= PREPAY__METER_OPEN;
        }
        a->meter_count[config->commodity]++;
    }
    meter_index_insert(site->memory.meter_index, site->memory.meter_index_slots, config->id, index);
    if (has_address) {
        index_insert(site->memory.address_index, site->memory.address_index_slots, hash_address(&config->address),
                     index);
    }
    return PREPAY_OK;
}

int prepay_settlement_add_group(prepay_settlement_site_t *site, const prepay_settlement_group_config_t *config)
{
    if (!prepay__settle_ready(site) || !config) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (config->number == 0u || config->number > 4095u || !id_ok(config->master_meter_id) ||
        (config->owner_account_id != 0u && !id_ok(config->owner_account_id))) {
        return PREPAY_E_SETTLEMENT_ID_RANGE;
    }
    if (config->method > PREPAY_SETTLEMENT_BY_EQUAL || config->residual_policy > PREPAY_ALLOCATION_RESIDUAL_CARRY ||
        config->vacancy > PREPAY_ALLOCATION_VACANT_SKIP || (config->flags & ~PREPAY_SETTLEMENT_GROUP_FLAGS) != 0u) {
        return PREPAY_E_SETTLEMENT_BAD_CONFIG;
    }
    uint32_t master = prepay__settle_find_meter(site, config->master_meter_id);
    if (master == PREPAY_SETTLEMENT_NONE) {
        return PREPAY_E_SETTLEMENT_UNKNOWN_METER;
    }
    int status = check_tariff(site, config->tariff, site->memory.meters[master].config.commodity);
    if (status != PREPAY_OK) {
        return status;
    }
    if (config->owner_account_id != 0u &&
        prepay__settle_find_account(site, config->owner_account_id) == PREPAY_SETTLEMENT_NONE) {
        return PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT;
    }
    if (site->memory.meters[master].role != PREPAY__ROLE_NONE) {
        return PREPAY_E_SETTLEMENT_GROUP;
    }
    if (prepay__settle_find_group(site, config->number) != PREPAY_SETTLEMENT_NONE) {
        return PREPAY_E_SETTLEMENT_DUPLICATE_ID;
    }
    if (site->group_count >= site->memory.sizes.groups) {
        return PREPAY_E_CAPACITY;
    }
    uint32_t index = site->group_count++;
    prepay_settlement_group_t *g = &site->memory.groups[index];
    memset(g, 0, sizeof *g);
    g->config = *config;
    (void)prepay_tariff_state_init(&g->stream);
    g->master = master;
    g->first_member = PREPAY_SETTLEMENT_NONE;
    g->last_member = PREPAY_SETTLEMENT_NONE;
    site->memory.meters[master].role = PREPAY__ROLE_MASTER;
    site->memory.meters[master].group = index;
    return PREPAY_OK;
}

int prepay_settlement_add_member(prepay_settlement_site_t *site, const prepay_settlement_member_config_t *config)
{
    if (!prepay__settle_ready(site) || !config) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (config->ratio < 0) {
        return PREPAY_E_SETTLEMENT_BAD_CONFIG;
    }
    uint32_t meter = prepay__settle_find_meter(site, config->meter_id);
    if (meter == PREPAY_SETTLEMENT_NONE) {
        return PREPAY_E_SETTLEMENT_UNKNOWN_METER;
    }
    uint32_t group = prepay__settle_find_group(site, config->group);
    if (group == PREPAY_SETTLEMENT_NONE) {
        return PREPAY_E_SETTLEMENT_GROUP;
    }
    prepay_settlement_meter_t *m = &site->memory.meters[meter];
    prepay_settlement_group_t *g = &site->memory.groups[group];
    if (m->role != PREPAY__ROLE_NONE || m->account == PREPAY_SETTLEMENT_NONE ||
        m->config.commodity != site->memory.meters[g->master].config.commodity) {
        return PREPAY_E_SETTLEMENT_GROUP;
    }
    if (site->member_count >= site->memory.sizes.members) {
        return PREPAY_E_CAPACITY;
    }
    uint32_t index = site->member_count++;
    prepay_settlement_member_t *e = &site->memory.members[index];
    memset(e, 0, sizeof *e);
    e->config = *config;
    e->meter = meter;
    e->next = PREPAY_SETTLEMENT_NONE;
    if (g->last_member == PREPAY_SETTLEMENT_NONE) {
        g->first_member = index;
    } else {
        site->memory.members[g->last_member].next = index;
    }
    g->last_member = index;
    g->member_count++;
    m->role = PREPAY__ROLE_MEMBER;
    m->group = group;
    return PREPAY_OK;
}

/* ---- lookups -------------------------------------------------------------------------- */

const prepay_settlement_account_t *prepay_settlement_account(const prepay_settlement_site_t *site, uint32_t account_id)
{
    if (!prepay__settle_ready(site)) {
        return NULL;
    }
    uint32_t i = prepay__settle_find_account(site, account_id);
    return i == PREPAY_SETTLEMENT_NONE ? NULL : &site->memory.accounts[i];
}

const prepay_settlement_meter_t *prepay_settlement_meter(const prepay_settlement_site_t *site, uint32_t meter_id)
{
    if (!prepay__settle_ready(site)) {
        return NULL;
    }
    uint32_t i = prepay__settle_find_meter(site, meter_id);
    return i == PREPAY_SETTLEMENT_NONE ? NULL : &site->memory.meters[i];
}

const prepay_settlement_meter_t *prepay_settlement_next_meter(const prepay_settlement_site_t *site,
                                                              uint32_t account_id, uint32_t *cursor)
{
    if (!prepay__settle_ready(site) || !cursor) {
        return NULL;
    }
    uint32_t index;
    if (*cursor == 0u) {
        uint32_t a = prepay__settle_find_account(site, account_id);
        if (a == PREPAY_SETTLEMENT_NONE) {
            return NULL;
        }
        index = site->memory.accounts[a].first_meter;
    } else {
        index = *cursor - 1u;
        if (index >= site->meter_count) {
            return NULL;
        }
        index = site->memory.meters[index].next_meter;
    }
    if (index == PREPAY_SETTLEMENT_NONE) {
        *cursor = UINT32_MAX; /* past the end: any later call returns NULL */
        return NULL;
    }
    *cursor = index + 1u;
    return &site->memory.meters[index];
}

void prepay_settlement_counts(const prepay_settlement_site_t *site, prepay_settlement_counts_t *out)
{
    if (!out) {
        return;
    }
    memset(out, 0, sizeof *out);
    if (!prepay__settle_ready(site)) {
        return;
    }
    out->accounts = site->account_count;
    out->meters = site->meter_count;
    out->groups = site->group_count;
    out->members = site->member_count;
}
