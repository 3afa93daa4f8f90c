-- Bookshop database schema: the design of record.
--
-- Engine: PostgreSQL 16. Owner: the shop platform team.
-- Replaying migration-scripts/V1..V6 in order gives exactly this schema;
-- `dbdesign check` verifies it. The design notes are in
-- entity-relationship-diagram.md and the four design documents beside this
-- file.
--
-- Conventions: snake_case; plural table names; surrogate keys are
-- `bigint GENERATED ALWAYS AS IDENTITY`; natural keys (ISBN, e-mail, codes)
-- stay unique; money is numeric with a currency; times are timestamptz in
-- UTC. Every foreign key is indexed (the comment above each index names the
-- query it serves).

-- Catalogue -----------------------------------------------------------------

-- A publishing house. Referenced by books; never deleted while it has books.
CREATE TABLE publishers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    display_name text NOT NULL UNIQUE,
    country_code char(2) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A person credited on at least one book. sort_name is "Surname, Given".
CREATE TABLE authors (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    full_name text NOT NULL,
    sort_name text NOT NULL,
    biography text,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Serves: the author index page, A to Z by surname.
CREATE INDEX authors_sort_name_idx ON authors (sort_name);

-- A title we sell, identified by its ISBN-13.
CREATE TABLE books (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    isbn char(13) NOT NULL UNIQUE,
    title text NOT NULL,
    -- NULL for self-published titles.
    publisher_id bigint REFERENCES publishers (id) ON DELETE RESTRICT,
    published_on date,
    list_price numeric(10, 2) NOT NULL CHECK (list_price >= 0),
    currency char(3) NOT NULL DEFAULT 'EUR',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Serves: a publisher's backlist, and deletes of publishers.
CREATE INDEX books_publisher_id_idx ON books (publisher_id);

-- Who wrote which book, and in which position of the byline.
CREATE TABLE book_authors (
    book_id bigint NOT NULL REFERENCES books (id) ON DELETE CASCADE,
    author_id bigint NOT NULL REFERENCES authors (id) ON DELETE RESTRICT,
    author_position smallint NOT NULL DEFAULT 1 CHECK (author_position > 0),
    PRIMARY KEY (book_id, author_id)
);

-- Serves: an author's bibliography (the primary key covers book_id).
CREATE INDEX book_authors_author_id_idx ON book_authors (author_id);

-- Customers and orders ------------------------------------------------------

-- A registered customer. E-mail addresses are stored lower-cased so that the
-- unique constraint is case-insensitive.
CREATE TABLE customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE CHECK (email = lower(email)),
    full_name text NOT NULL,
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    marketing_opt_in boolean NOT NULL DEFAULT false
);

-- A delivery address in a customer's address book.
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

-- An order as placed. total_amount is fixed when the order is paid.
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

-- Serves: the fulfilment queue, paid orders oldest first.
CREATE INDEX orders_status_placed_at_idx ON orders (status, placed_at);

-- One line of an order, with the unit price at the time of sale.
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

-- Stock ---------------------------------------------------------------------

-- A warehouse we ship from.
CREATE TABLE warehouses (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL UNIQUE,
    display_name text NOT NULL,
    country_code char(2) NOT NULL
);

-- Copies of a book in a warehouse. quantity_reserved counts copies held for
-- paid orders that have not shipped.
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

-- Reviews -------------------------------------------------------------------

-- A customer's review of a book: one per customer and book, rated 1 to 5.
CREATE TABLE reviews (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    book_id bigint NOT NULL REFERENCES books (id) ON DELETE CASCADE,
    customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title text,
    body text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (book_id, customer_id)
);

-- Serves: "my reviews" and deleting a customer's data (the unique key
-- covers book_id).
CREATE INDEX reviews_customer_id_idx ON reviews (customer_id);
