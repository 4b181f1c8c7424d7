// CREATE INDEX CONCURRENTLY cannot run inside a transaction block: run this migration outside one.
exports.config = { transaction: false };

exports.up = function (knex) {
  return knex.raw('CREATE INDEX CONCURRENTLY accounts_score_idx ON accounts (score)');
};

exports.down = function (knex) {
  return knex.raw('DROP INDEX CONCURRENTLY accounts_score_idx');
};
