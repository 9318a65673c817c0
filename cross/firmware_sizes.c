/* SPDX-License-Identifier: MIT */
/*
 * Sizes of the state structs a firmware allocates, under the firmware
 * configuration: each array below has the size of one struct, and
 * scripts/firmware-profile.sh reads them back with arm-none-eabi-nm -S.
 * Not part of the library.
 */
#include "prepay/prepay.h"

char size_of_prepay_meter_t[sizeof(prepay_meter_t)];
char size_of_prepay_tariff_t[sizeof(prepay_tariff_t)];
char size_of_prepay_tariff_state_t[sizeof(prepay_tariff_state_t)];
char size_of_prepay_tariff_compact_state_t[sizeof(prepay_tariff_compact_state_t)];
char size_of_prepay_wallet_policy_t[sizeof(prepay_wallet_policy_t)];
char size_of_prepay_ledger_transfer_t[sizeof(prepay_ledger_transfer_t)];
char size_of_prepay_dlt645_frame_t[sizeof(prepay_dlt645_frame_t)];
char size_of_prepay_dlt645_stream_t[sizeof(prepay_dlt645_stream_t)];
char size_of_prepay_station_session_t[sizeof(prepay_station_session_t)];
char size_of_prepay_report_t[sizeof(prepay_report_t)];
char size_of_prepay_report_cell_t[sizeof(prepay_report_cell_t)];
char size_of_prepay_load_record_t[sizeof(prepay_load_record_t)];
char size_of_prepay_load_record_reply_t[sizeof(prepay_load_record_reply_t)];
char size_of_prepay_cjt188_frame_t[sizeof(prepay_cjt188_frame_t)];
char size_of_prepay_cjt188_stream_t[sizeof(prepay_cjt188_stream_t)];
char size_of_prepay_modbus_adu_t[sizeof(prepay_modbus_adu_t)];
char size_of_prepay_modbus_stream_t[sizeof(prepay_modbus_stream_t)];
char size_of_prepay_water_meter_t[sizeof(prepay_water_meter_t)];
char size_of_prepay_events_state_t[sizeof(prepay_events_state_t)];
char size_of_prepay_meter_supervision_t[sizeof(prepay_meter_supervision_t)];
char size_of_prepay_events_params_t[sizeof(prepay_events_params_t)];
char size_of_prepay_vq_state_t[sizeof(prepay_vq_state_t)];
char size_of_prepay_vq_params_t[sizeof(prepay_vq_params_t)];
char size_of_prepay_lc_state_t[sizeof(prepay_lc_state_t)];
char size_of_prepay_lc_params_t[sizeof(prepay_lc_params_t)];
char size_of_prepay_settlement_account_t[sizeof(prepay_settlement_account_t)];
char size_of_prepay_settlement_meter_t[sizeof(prepay_settlement_meter_t)];
char size_of_prepay_settlement_group_t[sizeof(prepay_settlement_group_t)];
char size_of_prepay_settlement_site_t[sizeof(prepay_settlement_site_t)];
char size_of_prepay_settlement_event_t[sizeof(prepay_settlement_event_t)];
