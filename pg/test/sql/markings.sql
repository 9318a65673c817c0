-- Every function of the extension with its volatility and parallel safety, so that a
-- marking changed (or a new function left at the default VOLATILE PARALLEL UNSAFE)
-- shows in review. The rules the list follows:
--   IMMUTABLE   the result depends on the arguments only (codecs, tariff plans and
--               prices, allocation, wallet decisions, aggregates' support functions);
--   STABLE      reads the ledger tables (balances, verification);
--   VOLATILE    writes the ledger tables (posting, accounts);
--   PARALLEL SAFE everything that neither reads nor writes the tables; readers are
--   RESTRICTED (the tables may hold rows of the leader's own transaction), writers UNSAFE.
CREATE TEMP VIEW extension_functions AS
SELECT p.oid::regprocedure::text AS signature, p.prokind AS kind,
       CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END AS volatility,
       CASE p.proparallel WHEN 's' THEN 'safe' WHEN 'r' THEN 'restricted' ELSE 'unsafe' END AS parallel,
       p.proisstrict AS strict
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_prepay';
SELECT signature, kind, volatility, parallel, strict FROM extension_functions ORDER BY signature;
-- The rules, checked: what touches the ledger tables is never IMMUTABLE nor PARALLEL SAFE;
-- nothing else is VOLATILE or less than PARALLEL SAFE.
SELECT signature, volatility, parallel FROM extension_functions
 WHERE (signature ~ '^prepay_ledger_(create_account|close_account|balance|post|try_post|recharge|verify)\('
        AND (volatility = 'immutable' OR parallel = 'safe'))
    OR (signature !~ '^prepay_ledger_(create_account|close_account|balance|post|try_post|recharge|verify)\('
        AND (volatility = 'volatile' OR parallel <> 'safe'))
 ORDER BY signature;
