-- V6: the fulfilment queue lists paid orders, oldest first. orders is live,
-- so the index is built CONCURRENTLY (no write lock); Flyway runs a
-- migration that holds only this statement outside a transaction.

CREATE INDEX CONCURRENTLY orders_status_placed_at_idx ON orders (
    status, placed_at
);
