-- V2: customers, their delivery addresses, and orders with their lines.
-- Order lines copy the unit price at the time of sale: list prices change,
-- invoices do not.

CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE CHECK (email = lower(email)),
    full_name text NOT NULL,
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE addresses (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    recipient_name text NOT NULL,
    street text NOT NULL,
    postal_code text NOT NULL,
    city text NOT NULL,
    country_code char(2) NOT NULL
);

-- Serves: the address book at checkout.
CREATE INDEX addresses_customer_id_idx ON addresses (customer_id);

CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    -- NULL for orders of e-books only: nothing to ship.
    shipping_address_id bigint REFERENCES addresses (id) ON DELETE RESTRICT,
    status text NOT NULL DEFAULT 'pending' CHECK (
        status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled')
    ),
    placed_at timestamptz NOT NULL DEFAULT now(),
    total_amount numeric(12, 2) NOT NULL CHECK (total_amount >= 0),
    currency char(3) NOT NULL DEFAULT 'EUR'
);

-- Serves: a customer's order history, newest first.
CREATE INDEX orders_customer_id_placed_at_idx ON orders (
    customer_id, placed_at
);

-- Serves: deletes of addresses, and the "orders to this address" check.
CREATE INDEX orders_shipping_address_id_idx ON orders (shipping_address_id);

CREATE TABLE order_items (
    order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_number smallint NOT NULL CHECK (line_number > 0),
    book_id bigint NOT NULL REFERENCES books (id) ON DELETE RESTRICT,
    quantity integer NOT NULL CHECK (quantity > 0),
    unit_price numeric(10, 2) NOT NULL CHECK (unit_price >= 0),
    PRIMARY KEY (order_id, line_number)
);

-- Serves: sales per book (bestseller lists), and deletes of books.
CREATE INDEX order_items_book_id_idx ON order_items (book_id);
