-- Undo V5: forget marketing consent.

ALTER TABLE customers DROP COLUMN marketing_opt_in;
