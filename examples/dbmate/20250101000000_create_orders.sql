-- migrate:up
CREATE TYPE order_state AS ENUM ('open', 'paid', 'shipped');
CREATE TABLE orders (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer   text NOT NULL,
  total      numeric(12,2) NOT NULL,
  state      order_state NOT NULL DEFAULT 'open',
  placed_at  timestamptz NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE orders;
DROP TYPE order_state;
