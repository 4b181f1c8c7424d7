exports.up = function (knex) {
  return knex.schema.alterTable('accounts', (table) => {
    table.index(['score'], 'accounts_score_idx');
  });
};

exports.down = function (knex) {
  return knex.schema.alterTable('accounts', (table) => {
    table.dropIndex(['score'], 'accounts_score_idx');
  });
};
