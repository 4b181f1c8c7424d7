-- Looks harmless; holds a SHARE lock on accounts while the index builds.
CREATE INDEX accounts_email ON accounts (email);
