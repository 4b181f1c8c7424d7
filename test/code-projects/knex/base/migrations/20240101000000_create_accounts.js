exports.up = function (knex) {
  return knex.schema.createTable('accounts', (table) => {
    table.bigIncrements('id');
    table.text('email').notNullable();
    table.integer('score').notNullable().defaultTo(0);
  });
};

exports.down = function (knex) {
  return knex.schema.dropTable('accounts');
};
