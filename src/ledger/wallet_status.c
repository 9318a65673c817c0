/* Status texts of this module, for prepay_strerror(). */
#include "../common/status_internal.h"

#ifndef PREPAY_NO_STRERROR
const char *prepay__wallet_status_text(int number)
{
    switch (number) {
    default: return (const char *)0;
    }
}
#endif
