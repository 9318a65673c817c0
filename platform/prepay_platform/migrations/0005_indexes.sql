-- SPDX-License-Identifier: MIT
-- Indexes for the rooms page and the room detail at a thousand rooms and more.
CREATE INDEX meters_household ON meters (household_id);
CREATE INDEX households_tenant ON households (tenant_id);
CREATE INDEX recharge_orders_household ON recharge_orders (household_id);
CREATE INDEX relay_commands_meter ON relay_commands (meter_id);
