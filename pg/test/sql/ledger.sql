-- The ledger on tables, every posting by libprepay's rules; figures by hand:
--   recharge 100.00; deduction 30.00; a deduction of 80.00 refused (70.00 left);
--   80.00 recorded as debt instead; emergency credit 5.00 (75.00);
--   recharge 20.00 repays the emergency credit 5.00, then 15.00 of the debt (75.00, debt 65.00);
--   pending 10.00 (available 65.00), posted 6.00 (69.00); pending 2.00 voided; refund 1.00 (68.00).
TRUNCATE prepay_transfer, prepay_account;
SELECT id, prepay_ledger_create_account(id, kind, flags, overdraft_limit, max_balance, item, emergency_account_id, debt_account_id)
FROM (VALUES (1, 'payment_clearing', '{}'::text[], 0, 0, 0, 0, 0),
             (10, 'wallet', '{debits_must_not_exceed_credits}', 0, 0, 0, 11, 12),
             (11, 'emergency_credit', '{credits_must_not_exceed_debits}', 0, 0, 0, 0, 0),
             (12, 'debt', '{}', 0, 0, 0, 0, 0),
             (20, 'revenue', '{}', 0, 0, 1, 0, 0),
             (30, 'refunds_payable', '{}', 0, 0, 0, 0, 0),
             (40, 'wallet', '{debits_must_not_exceed_credits}', 0, 0, 0, 0, 0))
     AS a(id, kind, flags, overdraft_limit, max_balance, item, emergency_account_id, debt_account_id);
-- accounts are idempotent too
SELECT prepay_ledger_create_account(20, 'revenue', item => 1) AS again;
SELECT test_error('SELECT prepay_ledger_create_account(20, ''revenue'', item => 2)') AS different;

-- recharge, idempotent by id
SELECT prepay_ledger_recharge(1001, 10, 1, 10000, order_id => 77) AS recharge;
SELECT prepay_ledger_recharge(1001, 10, 1, 10000, order_id => 77) AS retried;
SELECT test_error('SELECT prepay_ledger_recharge(1001, 10, 1, 9999, order_id => 77)') AS different_amount;
-- a deduction with its reading interval, posted twice: applied once
SELECT prepay_ledger_post(2001, 10, 20, 3000, prepay_ledger_code('deduction'), meter_id => 7,
                          interval_start => '2025-06-01 00:00', interval_end => '2025-06-01 00:15') AS deduction;
SELECT prepay_ledger_post(2001, 10, 20, 3000, prepay_ledger_code('deduction'), meter_id => 7,
                          interval_start => '2025-06-01 00:00', interval_end => '2025-06-01 00:15') AS retried;
SELECT test_error($$SELECT prepay_ledger_post(2001, 10, 20, 3000, prepay_ledger_code('deduction'), meter_id => 8,
                          interval_start => '2025-06-01 00:00', interval_end => '2025-06-01 00:15')$$) AS other_meter;
-- more than the wallet holds: refused (a value with try_post, an ERROR with post), nothing changes
SELECT * FROM prepay_ledger_try_post(2002, 10, 20, 8000, prepay_ledger_code('deduction'));
SELECT test_error($$SELECT prepay_ledger_post(2002, 10, 20, 8000, prepay_ledger_code('deduction'))$$) AS refused;
-- the settlement's debt path: the charge recorded as debt
SELECT prepay_ledger_post(2003, 12, 20, 8000, prepay_ledger_code('debt')) AS debt;
-- emergency credit lent to the wallet
SELECT prepay_ledger_post(2004, 11, 10, 500, prepay_ledger_code('emergency_credit')) AS emergency;
SELECT balance, available FROM prepay_ledger_balance(10);
-- a recharge repays the emergency credit first, then the debt: one linked chain
SELECT prepay_ledger_recharge(1002, 10, 1, 2000, repay_emergency_id => 1003, repay_debt_id => 1004) AS recharge;
SELECT id, debit_account_id, credit_account_id, amount, code, flags FROM prepay_transfer WHERE id BETWEEN 1002 AND 1004 ORDER BY seq;
SELECT prepay_ledger_recharge(1002, 10, 1, 2000, repay_emergency_id => 1003, repay_debt_id => 1004) AS retried;
SELECT id, (prepay_ledger_balance(id)).balance FROM (VALUES (10), (11), (12)) AS a(id);

-- two-phase: reserve, post part; a second post or a void of it is refused; a void of another reservation
SELECT prepay_ledger_post(3001, 10, 20, 1000, prepay_ledger_code('deduction'), '{pending}') AS reserve;
SELECT balance, available FROM prepay_ledger_balance(10);
SELECT prepay_ledger_post(3002, 0, 0, 600, prepay_ledger_code('deduction'), '{post_pending}', pending_id => 3001) AS post;
SELECT prepay_ledger_post(3002, 0, 0, 600, prepay_ledger_code('deduction'), '{post_pending}', pending_id => 3001) AS retried;
SELECT result FROM prepay_ledger_try_post(3003, 0, 0, 100, prepay_ledger_code('deduction'), '{post_pending}', pending_id => 3001);
SELECT result FROM prepay_ledger_try_post(3004, 0, 0, 0, prepay_ledger_code('deduction'), '{void_pending}', pending_id => 3001);
SELECT result FROM prepay_ledger_try_post(3009, 0, 0, 0, prepay_ledger_code('deduction'), '{void_pending}', pending_id => 999);
SELECT prepay_ledger_post(3005, 10, 20, 200, prepay_ledger_code('deduction'), '{pending}') AS reserve,
       prepay_ledger_post(3006, 0, 0, 0, prepay_ledger_code('deduction'), '{void_pending}', pending_id => 3005) AS void;
SELECT id, state, resolved_by FROM prepay_transfer WHERE flags & 2 <> 0 ORDER BY seq;
SELECT balance, available FROM prepay_ledger_balance(10);
-- a refund, limited to what the wallet may take back
SELECT prepay_ledger_post(4001, 10, 30, 100, prepay_ledger_code('refund')) AS refund;
SELECT result FROM prepay_ledger_try_post(4002, 10, 30, 1000000, prepay_ledger_code('refund'));
-- unknown and closed accounts
SELECT test_error($$SELECT prepay_ledger_post(5001, 10, 999, 1, prepay_ledger_code('fee'))$$) AS unknown_account;
SELECT prepay_ledger_close_account(40) AS closed, prepay_ledger_close_account(40) AS again;
SELECT test_error($$SELECT prepay_ledger_post(5002, 1, 40, 1, prepay_ledger_code('recharge'))$$) AS to_closed;
-- malformed transfers: the library's first reason
SELECT result FROM prepay_ledger_try_post(0, 10, 20, 1, 3);
SELECT result FROM prepay_ledger_try_post(5003, 10, 10, 1, 3);
SELECT result FROM prepay_ledger_try_post(5004, 10, 20, 0, 3);

-- the books
SELECT id, kind, balance, available, debits, credits, closed FROM prepay_account_view ORDER BY id;
SELECT prepay_ledger_check(t, d, c) FROM prepay_transfer t
    JOIN prepay_account d ON d.id = t.debit_account_id JOIN prepay_account c ON c.id = t.credit_account_id;
SELECT prepay_ledger_verify();
-- writing around the functions is found
UPDATE prepay_account SET credits_posted = credits_posted + 1 WHERE id = 20;
SELECT r->'ok' AS ok, r->'balanced' AS balanced, r->'first_violations' AS violations
FROM (SELECT prepay_ledger_check(t, d, c) AS r FROM prepay_transfer t
      JOIN prepay_account d ON d.id = t.debit_account_id JOIN prepay_account c ON c.id = t.credit_account_id) x;
SELECT prepay_ledger_verify()->'first_problems' AS problems;
UPDATE prepay_account SET credits_posted = credits_posted - 1 WHERE id = 20;
-- a wallet beyond its limit (only by writing around the functions) breaks the limit rule
UPDATE prepay_account SET debits_posted = debits_posted + 100000 WHERE id = 40;
INSERT INTO prepay_transfer (id, debit_account_id, credit_account_id, amount, code) VALUES (6001, 40, 1, 100000, 9);
UPDATE prepay_account SET credits_posted = credits_posted + 100000 WHERE id = 1;
SELECT r->'ok' AS ok, r->'balanced' AS balanced, r->'first_violations' AS violations
FROM (SELECT prepay_ledger_check(t, d, c) AS r FROM prepay_transfer t
      JOIN prepay_account d ON d.id = t.debit_account_id JOIN prepay_account c ON c.id = t.credit_account_id) x;
TRUNCATE prepay_transfer, prepay_account;
-- the codes by name, the settlement's sale to a meter purse included
SELECT prepay_ledger_code('reversal') AS reversal, prepay_ledger_code('sale') AS sale;
