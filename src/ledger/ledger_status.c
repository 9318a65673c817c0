/* SPDX-License-Identifier: MIT */
/* Status texts of this module, for prepay_strerror(). */
#include "../common/status_internal.h"
#include "prepay/ledger.h"

#ifndef PREPAY_NO_STRERROR
const char *prepay__ledger_status_text(int number)
{
    switch (number) {
    case 1: return "ledger: a transfer flag outside PREPAY_LEDGER_TRANSFER_FLAGS_MASK is set";
    case 2: return "ledger: the transfer id is 0 (0 is reserved for \"none\")";
    case 3: return "ledger: more than one of the pending, post and void flags is set";
    case 4: return "ledger: a transfer that is not a post or void names a pending transfer";
    case 5: return "ledger: a post or void names no pending transfer (pending id 0)";
    case 6: return "ledger: a post or void names itself as its pending transfer";
    case 7: return "ledger: the transfer has no debit account (id 0)";
    case 8: return "ledger: the transfer has no credit account (id 0)";
    case 9: return "ledger: the debit and credit accounts are the same account";
    case 10: return "ledger: the amount must be positive (a void's may be 0)";
    case 11: return "ledger: the transfer code is 0";
    case 12: return "ledger: the metered interval ends before it starts";
    case 13: return "ledger: only a pending transfer may have a deadline";
    case 20: return "ledger: the id exists with different flags";
    case 21: return "ledger: the id exists with a different pending transfer";
    case 22: return "ledger: the id exists with a different debit account";
    case 23: return "ledger: the id exists with a different credit account";
    case 24: return "ledger: the id exists with a different amount";
    case 25: return "ledger: the id exists with a different code";
    case 26: return "ledger: the id exists with different details (meter, interval, tariff version, order, reference)";
    case 27: return "ledger: the id exists with a different deadline";
    case 30: return "ledger: the pending transfer does not exist";
    case 31: return "ledger: the transfer named as pending is not a pending transfer";
    case 32: return "ledger: the debit account differs from the pending transfer's";
    case 33: return "ledger: the credit account differs from the pending transfer's";
    case 34: return "ledger: the pending transfer was already posted";
    case 35: return "ledger: the pending transfer was already voided";
    case 36: return "ledger: the post is larger than the pending amount";
    case 37: return "ledger: the void's amount differs from the pending amount";
    case 38: return "ledger: the pending transfer expired (released by an expiry, or posted or voided at or after its deadline)";
    case 39: return "ledger: the pending transfer has no deadline, or its deadline is after the expiry time";
    case 40: return "ledger: the debit account does not exist";
    case 41: return "ledger: the credit account does not exist";
    case 42: return "ledger: the debit account is closed (voids are still allowed)";
    case 43: return "ledger: the credit account is closed (voids are still allowed)";
    case 44: return "ledger: an account total would overflow";
    case 45: return "ledger: the balance would go below the account's overdraft limit (not enough credit)";
    case 46: return "ledger: the account's credits would exceed its debits";
    case 47: return "ledger: the balance would exceed the account's maximum balance";
    case 48: return "ledger: the refund is larger than the refundable balance";
    case 50: return "ledger: another transfer of the linked chain failed; nothing of the chain was applied";
    case 51: return "ledger: the batch ends inside a linked chain (its last transfer is linked)";
    case 60: return "ledger: the account id is 0";
    case 61: return "ledger: unknown account kind or account flag";
    case 62: return "ledger: an account cannot limit both its debits and its credits";
    case 63: return "ledger: a negative overdraft limit or maximum balance";
    case 64: return "ledger: a new account must start with zero totals";
    case 65: return "ledger: the account exists with different fields";
    case 66: return "ledger: the account does not exist";
    case 70: return "ledger: verification found a broken invariant (the totals do not match the transfers)";
    default: return (const char *)0;
    }
}
#endif
