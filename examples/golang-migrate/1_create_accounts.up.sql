CREATE TABLE accounts (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email      text NOT NULL,
  name       varchar(120),
  created_at timestamptz NOT NULL DEFAULT now()
);
