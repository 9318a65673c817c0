/* SPDX-License-Identifier: MIT */
/*
 * The site's ledger accounts (created idempotently, journaled in one batch)
 * and the check of the site's balances against the ledger.
 */
#include <string.h>

#include "settlement_internal.h"

static int create(const prepay_settlement_books_t *books, const prepay_ledger_account_t *account, uint32_t *created)
{
    int status = prepay_ledger_create_account(books->ledger, account);
    if (status == PREPAY_OK) {
        (*created)++;
        if (books->journal) {
            return prepay_journal_add_account(books->journal, account);
        }
        return PREPAY_OK;
    }
    return status == PREPAY_LEDGER_EXISTS ? PREPAY_OK : status;
}

/* The ledger position of an account's wallet, kept in the account as a hint for posting
 * (prepay_ledger_apply_at()); found again each time the books are opened, as a ledger loaded
 * from a journal may place accounts elsewhere. */
static uint32_t wallet_position(const prepay_settlement_books_t *books, const prepay_settlement_account_t *a)
{
    return prepay_ledger_account_position(books->ledger,
                                          prepay_settlement_ledger_account_id(a->config.id, PREPAY_SETTLEMENT_ROLE_WALLET));
}

static int open_site(const prepay_settlement_books_t *books, uint32_t *created)
{
    static const struct {
        uint8_t role;
        uint16_t kind;
        uint32_t item;
    } site_accounts[] = {
        {PREPAY_SETTLEMENT_SITE_CLEARING, PREPAY_LEDGER_ACCOUNT_PAYMENT_CLEARING, PREPAY_LEDGER_ITEM_NONE},
        {PREPAY_SETTLEMENT_SITE_ELECTRICITY, PREPAY_LEDGER_ACCOUNT_REVENUE, PREPAY_LEDGER_ITEM_ELECTRICITY},
        {PREPAY_SETTLEMENT_SITE_WATER, PREPAY_LEDGER_ACCOUNT_REVENUE, PREPAY_LEDGER_ITEM_WATER},
        {PREPAY_SETTLEMENT_SITE_COMMON_AREA, PREPAY_LEDGER_ACCOUNT_REVENUE, PREPAY_LEDGER_ITEM_COMMON_AREA},
        {PREPAY_SETTLEMENT_SITE_CHARGES, PREPAY_LEDGER_ACCOUNT_REVENUE, PREPAY_LEDGER_ITEM_PROPERTY_FEE},
        {PREPAY_SETTLEMENT_SITE_REFUNDS, PREPAY_LEDGER_ACCOUNT_REFUNDS_PAYABLE, PREPAY_LEDGER_ITEM_NONE},
        {PREPAY_SETTLEMENT_SITE_ADJUSTMENTS, PREPAY_LEDGER_ACCOUNT_ADJUSTMENTS, PREPAY_LEDGER_ITEM_NONE},
    };
    for (size_t i = 0; i < sizeof site_accounts / sizeof site_accounts[0]; i++) {
        prepay_ledger_account_t a;
        memset(&a, 0, sizeof a);
        a.id = prepay_settlement_ledger_account_id(0, site_accounts[i].role);
        a.kind = site_accounts[i].kind;
        a.item = site_accounts[i].item;
        int status = create(books, &a, created);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return PREPAY_OK;
}

static int open_account(const prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                        const prepay_settlement_account_t *sa, uint32_t *created)
{
    uint32_t id = sa->config.id;
    prepay_ledger_account_t a;
    memset(&a, 0, sizeof a);
    a.id = prepay_settlement_ledger_account_id(id, PREPAY_SETTLEMENT_ROLE_WALLET);
    a.kind = PREPAY_LEDGER_ACCOUNT_WALLET;
    a.emergency_account_id = prepay_settlement_ledger_account_id(id, PREPAY_SETTLEMENT_ROLE_EMERGENCY);
    a.debt_account_id = prepay_settlement_ledger_account_id(id, PREPAY_SETTLEMENT_ROLE_DEBT);
    a.max_balance = sa->config.max_balance;
    if (sa->config.kind != PREPAY_SETTLEMENT_PREPAID_LOCAL) {
        /* The station keeps this wallet: it never goes below what the policy allows. A local
         * meter's mirror follows the meter's purse wherever the meter takes it. */
        a.flags = PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS;
        if (sa->config.kind == PREPAY_SETTLEMENT_PREPAID_REMOTE) {
            const prepay_wallet_policy_t *p = &site->config.policies[sa->config.policy];
            if (p->cutoff == PREPAY_WALLET_CUTOFF_AT_OVERDRAFT_LIMIT) {
                a.overdraft_limit = p->overdraft_limit;
            }
        }
    }
    int status = create(books, &a, created);
    if (status != PREPAY_OK) {
        return status;
    }
    memset(&a, 0, sizeof a);
    a.id = prepay_settlement_ledger_account_id(id, PREPAY_SETTLEMENT_ROLE_DEBT);
    a.kind = PREPAY_LEDGER_ACCOUNT_DEBT;
    status = create(books, &a, created);
    if (status != PREPAY_OK) {
        return status;
    }
    a.id = prepay_settlement_ledger_account_id(id, PREPAY_SETTLEMENT_ROLE_EMERGENCY);
    a.kind = PREPAY_LEDGER_ACCOUNT_EMERGENCY_CREDIT;
    return create(books, &a, created);
}

int prepay_settlement_open(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                           prepay_settlement_result_t *result)
{
    prepay_settlement_result_t local;
    if (!result) {
        result = &local;
    }
    memset(result, 0, sizeof *result);
    result->error_index = PREPAY_SETTLEMENT_NONE;
    if (!prepay__settle_ready(site) || !books || !books->ledger) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (books->journal) {
        int status = prepay_journal_stage(books->journal, books->ledger, NULL, 0, NULL);
        if (status < 0) {
            return status;
        }
    }
    uint32_t created = 0;
    int status = open_site(books, &created);
    uint32_t i = 0;
    for (; status == PREPAY_OK && i < site->account_count; i++) {
        prepay_settlement_account_t *a = &site->memory.accounts[i];
        if (a->opened) {
            a->wallet_at = wallet_position(books, a);
            continue;
        }
        status = open_account(site, books, a, &created);
        if (status == PREPAY_OK) {
            a->opened = 1;
            a->wallet_at = wallet_position(books, a);
            for (uint32_t k = a->first_meter; k != PREPAY_SETTLEMENT_NONE; k = site->memory.meters[k].next_meter) {
                site->memory.meters[k].flags |= PREPAY__METER_OPEN;
            }
        }
    }
    if (status != PREPAY_OK) {
        result->error_index = i > 0 ? i - 1u : 0u;
        result->error_id = i > 0 ? site->memory.accounts[i - 1u].config.id : 0u;
        result->error_detail = status;
    }
    result->transfers = created;
    if (books->journal) {
        /* What the ledger created is journaled, also when a later account failed. */
        int committed = prepay_journal_commit(books->journal);
        if (committed != PREPAY_OK) {
            return committed;
        }
    }
    return status;
}

/* debits - credits (> 0: owed) or credits - debits of an account. */
static int ledger_balance(const prepay_ledger_t *ledger, uint64_t id, bool debit_side, prepay_money_t *out)
{
    prepay_ledger_balance_t b;
    int status = prepay_ledger_balance(ledger, id, &b);
    if (status != PREPAY_OK) {
        return PREPAY_E_SETTLEMENT_NOT_OPEN;
    }
    *out = debit_side ? -b.balance : b.balance;
    return PREPAY_OK;
}

int prepay_settlement_verify(const prepay_settlement_site_t *site, const prepay_ledger_t *ledger,
                             prepay_settlement_result_t *result)
{
    prepay_settlement_result_t local;
    if (!result) {
        result = &local;
    }
    memset(result, 0, sizeof *result);
    result->error_index = PREPAY_SETTLEMENT_NONE;
    if (!prepay__settle_ready(site) || !ledger) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    for (uint32_t i = 0; i < site->account_count; i++) {
        const prepay_settlement_account_t *a = &site->memory.accounts[i];
        const prepay_settlement_balances_t *b = &a->books;
        uint32_t id = a->config.id;
        prepay_money_t wallet = 0, debt = 0, emergency = 0;
        int status = ledger_balance(ledger, prepay_settlement_ledger_account_id(id, PREPAY_SETTLEMENT_ROLE_WALLET),
                                    false, &wallet);
        if (status == PREPAY_OK) {
            status = ledger_balance(ledger, prepay_settlement_ledger_account_id(id, PREPAY_SETTLEMENT_ROLE_DEBT), true,
                                    &debt);
        }
        if (status == PREPAY_OK) {
            status = ledger_balance(ledger, prepay_settlement_ledger_account_id(id, PREPAY_SETTLEMENT_ROLE_EMERGENCY),
                                    true, &emergency);
        }
        if (status == PREPAY_OK) {
            /* wallet = recharges + emergency lent - (charges - debt created) - debt repaid - emergency repaid
             *          - refunds - sales */
            prepay_money_t charges = b->energy + b->shares + b->items;
            prepay_money_t expect = b->recharged + b->emergency_granted - (charges - b->debt_created) -
                                    b->debt_repaid - b->emergency_repaid - b->refunded - b->sold;
            bool ok = wallet == b->balance && debt == b->debt && emergency == b->emergency && expect == b->balance &&
                      b->debt == b->debt_created - b->debt_repaid &&
                      b->emergency == b->emergency_granted - b->emergency_repaid;
            status = ok ? PREPAY_OK : PREPAY_E_SETTLEMENT_MISMATCH;
        }
        if (status != PREPAY_OK) {
            result->error_index = i;
            result->error_id = id;
            return status;
        }
    }
    return PREPAY_OK;
}
