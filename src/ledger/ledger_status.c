/* Status texts of this module, for prepay_strerror(). */
#include "../common/status_internal.h"
#include "prepay/ledger.h"

#ifndef PREPAY_NO_STRERROR
const char *prepay__ledger_status_text(int number)
{
    switch (number) {
    case 1: return "ledger_reserved_flag: A flag bit outside PREPAY_LEDGER_TRANSFER_FLAGS_MASK is set";
    case 2: return "ledger_id_must_not_be_zero: The transfer id is 0 (0 is reserved for \"none\")";
    case 3: return "ledger_flags_are_mutually_exclusive: More than one of PENDING, POST_PENDING, VOID_PENDING is set";
    case 4: return "ledger_pending_id_must_be_zero: A transfer that is not a post or void has a non-zero pending_id";
    case 5: return "ledger_pending_id_must_not_be_zero: A post or void has pending_id 0";
    case 6: return "ledger_pending_id_must_be_different: A post or void names itself as the pending transfer";
    case 7: return "ledger_debit_account_id_must_not_be_zero: A plain or pending transfer has debit_account_id 0";
    case 8: return "ledger_credit_account_id_must_not_be_zero: A plain or pending transfer has credit_account_id 0";
    case 9: return "ledger_accounts_must_be_different: Debit and credit account are the same account";
    case 10: return "ledger_amount_must_be_positive: amount <= 0 (plain, pending, post), or amount < 0 (void)";
    case 11: return "ledger_code_must_not_be_zero: code is 0";
    case 12: return "ledger_interval_invalid: user data: interval_end < interval_start";
    case 13: return "ledger_deadline_must_be_zero: A transfer without PENDING has a non-zero deadline";
    case 20: return "ledger_exists_with_different_flags: The id exists with different flags";
    case 21: return "ledger_exists_with_different_pending_id: The id exists with a different pending_id";
    case 22: return "ledger_exists_with_different_debit_account: The id exists with a different debit account";
    case 23: return "ledger_exists_with_different_credit_account: The id exists with a different credit account";
    case 24: return "ledger_exists_with_different_amount: The id exists with a different amount";
    case 25: return "ledger_exists_with_different_code: The id exists with a different code";
    case 26: return "ledger_exists_with_different_user_data: The id exists with different user data (meter, interval, tariff version, order, reference)";
    case 27: return "ledger_exists_with_different_deadline: The id exists with a different deadline";
    case 30: return "ledger_pending_transfer_not_found: pending_id names no transfer in the log";
    case 31: return "ledger_pending_transfer_not_pending: pending_id names a transfer that is not a pending transfer";
    case 32: return "ledger_pending_transfer_has_different_debit_account: A non-zero debit_account_id differs from the pending transfer's";
    case 33: return "ledger_pending_transfer_has_different_credit_account: A non-zero credit_account_id differs from the pending transfer's";
    case 34: return "ledger_pending_transfer_already_posted: The pending transfer was already posted";
    case 35: return "ledger_pending_transfer_already_voided: The pending transfer was already voided";
    case 36: return "ledger_exceeds_pending_transfer_amount: A post's amount exceeds the pending amount";
    case 37: return "ledger_pending_transfer_has_different_amount: A void's non-zero amount differs from the pending amount";
    case 38: return "ledger_pending_transfer_expired: The pending transfer expired (released by an expiry, or the post or void is at or after its deadline)";
    case 39: return "ledger_deadline_not_reached: The pending transfer has no deadline, or its deadline is after the expiry time";
    case 40: return "ledger_debit_account_not_found: The debit account does not exist";
    case 41: return "ledger_credit_account_not_found: The credit account does not exist";
    case 42: return "ledger_debit_account_closed: The debit account is closed (voids are still allowed)";
    case 43: return "ledger_credit_account_closed: The credit account is closed (voids are still allowed)";
    case 44: return "ledger_overflow: An account counter (or a sum of counters) would overflow int64";
    case 45: return "ledger_exceeds_credits: Debit account with DEBITS_MUST_NOT_EXCEED_CREDITS would go below -overdraft_limit";
    case 46: return "ledger_exceeds_debits: Credit account with CREDITS_MUST_NOT_EXCEED_DEBITS would have credits above debits";
    case 47: return "ledger_exceeds_max_balance: Credit account's stored balance would exceed its max_balance (hoarding limit)";
    case 48: return "ledger_exceeds_refundable: A refund (code REFUND, debit account a wallet) exceeds the refundable balance";
    case 50: return "ledger_linked_event_failed: Another member of this transfer's linked chain failed; nothing of the chain applied";
    case 51: return "ledger_linked_event_chain_open: The batch ends inside a linked chain (its last transfer has LINKED set)";
    case 60: return "ledger_account_id_must_not_be_zero: Account id is 0";
    case 61: return "ledger_account_bad_kind: Account kind is not one of prepay_ledger_account_kind, or an account flag is unknown";
    case 62: return "ledger_account_flags_mutually_exclusive: Both DEBITS_MUST_NOT_EXCEED_CREDITS and CREDITS_MUST_NOT_EXCEED_DEBITS";
    case 63: return "ledger_account_bad_limit: overdraft_limit or max_balance negative";
    case 64: return "ledger_account_balances_must_be_zero: A new account's four counters are not all zero";
    case 65: return "ledger_account_exists_with_different_fields: The account id exists with different fields";
    case 66: return "ledger_account_not_found: The account does not exist";
    case 70: return "ledger_invariant: prepay_ledger_verify() found a broken invariant";
    default: return (const char *)0;
    }
}
#endif
