-- V4: customer reviews, one per customer and book, rated 1 to 5.

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
