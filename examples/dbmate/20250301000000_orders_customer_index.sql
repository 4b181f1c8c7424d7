-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer ON orders (customer);

-- migrate:down
DROP INDEX CONCURRENTLY IF EXISTS orders_customer;
