-- V1: the catalogue. Publishers, authors and books, and the book_authors
-- junction that keeps each author's position in a book's byline.

CREATE TABLE publishers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    display_name text NOT NULL UNIQUE,
    country_code char(2) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE authors (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    full_name text NOT NULL,
    sort_name text NOT NULL,
    biography text,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Serves: the author index page, A to Z by surname.
CREATE INDEX authors_sort_name_idx ON authors (sort_name);

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

CREATE TABLE book_authors (
    book_id bigint NOT NULL REFERENCES books (id) ON DELETE CASCADE,
    author_id bigint NOT NULL REFERENCES authors (id) ON DELETE RESTRICT,
    author_position smallint NOT NULL DEFAULT 1 CHECK (author_position > 0),
    PRIMARY KEY (book_id, author_id)
);

-- Serves: an author's bibliography (the primary key covers book_id).
CREATE INDEX book_authors_author_id_idx ON book_authors (author_id);
