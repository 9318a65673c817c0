/**
 * @file dlt645.h
 * @brief DL/T 645-2007 and -1997 frame codec, stream parser, data identifiers and typed values.
 *
 * (This module is under construction; its API lands with its issue.)
 */
#ifndef PREPAY_DLT645_H
#define PREPAY_DLT645_H

#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/status.h"

#endif /* PREPAY_DLT645_H */
