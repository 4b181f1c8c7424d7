-- A constant default: PostgreSQL 11+ stores it in the catalog, no rewrite.
ALTER TABLE accounts ADD COLUMN plan text NOT NULL DEFAULT 'free';
