/* SPDX-License-Identifier: MIT */
/*
 * A ledger over a slice of a larger book: accounts loaded with the counters
 * they have in an external store (a database row the caller has locked), so
 * that transfers touching them are checked and applied by the same rules as
 * everywhere else (pg_prepay posts this way). Also the per-account limit
 * check that prepay_ledger_verify() applies. Freestanding.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/fixed_point.h"
#include "prepay/ledger.h"

int prepay_ledger_account_check(const prepay_ledger_account_t *account)
{
    if (account == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_money_t debits;
    prepay_money_t credits;
    if (prepay_i64_add(account->debits_pending, account->debits_posted, &debits) != PREPAY_OK ||
        prepay_i64_add(account->credits_pending, account->credits_posted, &credits) != PREPAY_OK) {
        return PREPAY_E_LEDGER_OVERFLOW;
    }
    if ((account->flags & PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS) != 0u) {
        prepay_money_t allowed;
        if (prepay_i64_add(account->credits_posted, account->overdraft_limit, &allowed) != PREPAY_OK) {
            allowed = INT64_MAX;
        }
        if (debits > allowed) {
            return PREPAY_E_LEDGER_EXCEEDS_CREDITS;
        }
    }
    if ((account->flags & PREPAY_LEDGER_ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS) != 0u &&
        credits > account->debits_posted) {
        return PREPAY_E_LEDGER_EXCEEDS_DEBITS;
    }
    if (account->max_balance > 0 && credits - account->debits_posted > account->max_balance) {
        return PREPAY_E_LEDGER_EXCEEDS_MAX_BALANCE;
    }
    return PREPAY_OK;
}

int prepay_ledger_load_account(prepay_ledger_t *ledger, const prepay_ledger_account_t *account)
{
    if (ledger == NULL || account == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (account->debits_pending < 0 || account->debits_posted < 0 || account->credits_pending < 0 ||
        account->credits_posted < 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    /* Every check of a new account first (id, kind, flags, limits, existence,
     * capacity), on the account with zero counters. */
    prepay_ledger_account_t fresh = *account;
    fresh.debits_pending = 0;
    fresh.debits_posted = 0;
    fresh.credits_pending = 0;
    fresh.credits_posted = 0;
    int status = prepay_ledger_account_check(account);
    if (status != PREPAY_OK) {
        return status;
    }
    uint32_t before = prepay_ledger_account_count(ledger);
    status = prepay_ledger_create_account(ledger, &fresh);
    if (status != PREPAY_OK) {
        /* PREPAY_LEDGER_EXISTS: an account with this id is already loaded; its
         * counters may differ, so loading it twice is refused. */
        return status == PREPAY_LEDGER_EXISTS ? PREPAY_E_LEDGER_ACCOUNT_EXISTS_WITH_DIFFERENT_FIELDS : status;
    }
    /* The account just created is the last of the caller's account table
     * (creation order, see prepay_ledger_account_at()). */
    prepay_ledger_account_t *slot = &ledger->memory.accounts[before];
    slot->debits_pending = account->debits_pending;
    slot->debits_posted = account->debits_posted;
    slot->credits_pending = account->credits_pending;
    slot->credits_posted = account->credits_posted;
    return PREPAY_OK;
}
