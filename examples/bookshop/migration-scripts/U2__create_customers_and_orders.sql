-- Undo V2: drop orders and customers, children first.

DROP TABLE order_items;
DROP TABLE orders;
DROP TABLE addresses;
DROP TABLE customers;
