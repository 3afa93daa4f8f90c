-- V5: record whether a customer agreed to marketing e-mail (GDPR consent).
-- A constant default makes this a metadata-only change on PostgreSQL 11+:
-- no table rewrite, and existing customers have not consented.

ALTER TABLE customers
ADD COLUMN marketing_opt_in boolean NOT NULL DEFAULT false;
