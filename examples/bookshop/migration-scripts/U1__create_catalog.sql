-- Undo V1: drop the catalogue, children first.

DROP TABLE book_authors;
DROP TABLE books;
DROP TABLE authors;
DROP TABLE publishers;
