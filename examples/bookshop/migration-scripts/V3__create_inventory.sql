-- V3: stock per warehouse. quantity_reserved counts copies held for paid
-- orders that have not shipped; it can never exceed what is on hand.

CREATE TABLE warehouses (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL UNIQUE,
    display_name text NOT NULL,
    country_code char(2) NOT NULL
);

CREATE TABLE inventory (
    warehouse_id bigint NOT NULL REFERENCES warehouses (id) ON DELETE RESTRICT,
    book_id bigint NOT NULL REFERENCES books (id) ON DELETE RESTRICT,
    quantity_on_hand integer NOT NULL DEFAULT 0 CHECK (quantity_on_hand >= 0),
    quantity_reserved integer NOT NULL DEFAULT 0 CHECK (
        quantity_reserved >= 0
    ),
    reorder_level integer NOT NULL DEFAULT 5 CHECK (reorder_level >= 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (warehouse_id, book_id),
    CHECK (quantity_reserved <= quantity_on_hand)
);

-- Serves: "in stock anywhere?" on the product page (the primary key covers
-- warehouse_id).
CREATE INDEX inventory_book_id_idx ON inventory (book_id);
