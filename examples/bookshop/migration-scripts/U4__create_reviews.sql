-- Undo V4: drop reviews.

DROP TABLE reviews;
