-- The upgrade path: version 0.1 installed, used, then ALTER EXTENSION UPDATE
-- to 0.2 keeps the data and the plans made before, and adds the reports.
CREATE EXTENSION pg_prepay VERSION '0.1';
SELECT extversion FROM pg_extension WHERE extname = 'pg_prepay';
SELECT count(*) AS report_functions FROM pg_proc WHERE proname = 'prepay_report';
-- Made with 0.1: an account, a recharge, a plan.
SELECT prepay_ledger_create_account(9001, 'payment_clearing');
SELECT prepay_ledger_create_account(9002, 'wallet', '{debits_must_not_exceed_credits}');
SELECT prepay_ledger_recharge(90001, 9002, 9001, 5000);
CREATE TABLE upgrade_plan AS
SELECT prepay_tariff_compile('{"format": "prepay-tariff/1", "name": "flat 0.5", "source": {"notice": "test"},
    "commodity": "electricity", "currency": "CNY", "bands": ["flat"], "prices": {"bands": {"flat": "0.5"}}}') AS plan;
ALTER EXTENSION pg_prepay UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'pg_prepay';
SELECT count(*) AS report_functions FROM pg_proc WHERE proname = 'prepay_report';
-- The data and the plan made under 0.1 are still there and still work.
SELECT balance, available FROM prepay_ledger_balance(9002);
SELECT kind, balance FROM prepay_account_view WHERE id = 9002;
SELECT prepay_bill(plan, '2025-01-01 00:00', '2025-01-01 01:00', 1000) ->> 'total' AS total FROM upgrade_plan;
SELECT prepay_ledger_recharge(90001, 9002, 9001, 5000) AS retry;
DROP TABLE upgrade_plan;
TRUNCATE prepay_transfer, prepay_account;
