/* SPDX-License-Identifier: MIT */
/* The wallet policy's JSON form (pgp_policy.c): PostgreSQL-free, so it can include jansson. */
#ifndef PGP_POLICY_H
#define PGP_POLICY_H

#include <stddef.h>

#include "prepay/wallet.h"

/* Reads a policy (defaults for absent members); the message goes to err. Not checked by the library yet. */
int pgp_policy_read(const char *text, size_t len, prepay_wallet_policy_t *out, char *err, size_t err_cap);
const char *pgp_policy_cutoff_name(unsigned cutoff);
const char *pgp_policy_weekday_name(unsigned day);

#endif
