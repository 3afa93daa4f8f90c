-- Undo V3: drop stock levels and warehouses.

DROP TABLE inventory;
DROP TABLE warehouses;
