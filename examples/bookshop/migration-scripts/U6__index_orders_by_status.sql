-- Undo V6: drop the fulfilment queue index without blocking writes.

DROP INDEX CONCURRENTLY orders_status_placed_at_idx;
