/* SPDX-License-Identifier: MIT */
/* Status texts of this module, for prepay_strerror(). */
#include "../common/status_internal.h"

#ifndef PREPAY_NO_STRERROR
const char *prepay__journal_status_text(int number)
{
    switch (number) {
    case 1: return "journal storage I/O failed";
    case 2: return "journal corrupt inside the log (a bad record is followed by committed records)";
    case 3: return "not a journal, or an unsupported journal version";
    case 4: return "invalid journal record (length, type or checksum)";
    case 5: return "journal record truncated";
    case 6: return "journal failed earlier (append or sync error); reopen to recover";
    case 7: return "journal storage full";
    case 8: return "snapshot corrupt (magic, version, length or checksum)";
    case 9: return "journal sequence numbers not contiguous (records missing)";
    case 10: return "a committed journal record could not be replayed into the ledger";
    case 11: return "recovered ledger fails verification";
    case 12: return "journal in use by another writer (its lock is held)";
    case 13: return "journal changed under the writer (another process wrote or cut it)";
    case 14: return "journal format 1 cannot hold deadlines or expiries (a compacting snapshot upgrades it)";
    default: return (const char *)0;
    }
}
#endif
